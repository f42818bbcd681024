"""Keys of pure calls (submit / map / delayed with pure=True): equal calls share a key, and a call
whose function or arguments cannot be pickled (a lock, a generator, a closure over one) gets a
fresh key of its own, as in Dask, instead of failing. Results are checked against plain calls."""

import threading

import pytest

from tessera import delayed
from tessera.distributed import Client


@pytest.fixture(scope="module")
def client():
    with Client(n_workers=1, threads_per_worker=2, dashboard_address=None) as c:
        yield c


def add_to(k):
    return lambda x: x + k


def numbers(n):
    yield from range(n)


def test_closures_share_a_key_only_when_they_capture_the_same_values(client):
    one, two = add_to(1), add_to(2)
    a, b, c = client.submit(one, 1), client.submit(add_to(1), 1), client.submit(two, 1)
    assert a.key == b.key and a.key != c.key
    assert client.gather([a, b, c]) == [one(1), one(1), two(1)]


def test_comprehensions_in_lambdas_hash_and_run(client):
    double_all = lambda xs: [v * 2 for v in xs]  # noqa: E731
    squares = lambda xs: {v: v * v for v in xs}  # noqa: E731
    first, again = client.submit(double_all, [1, 2]), client.submit(double_all, [1, 2])
    assert first.key == again.key  # the same code and arguments: one task
    other = client.submit(squares, [1, 2])
    assert other.key != first.key
    assert first.result() == double_all([1, 2]) and other.result() == squares([1, 2])
    assert client.gather(client.map(lambda x: sum(v for v in range(x)), [3, 4])) == [3, 6]


def test_generators_as_functions_and_arguments(client):
    assert client.submit(lambda n: list(numbers(n)), 4).result() == list(numbers(4))
    produced = client.submit(numbers, 3).result()  # a generator comes back as the task's result
    assert list(produced) == [0, 1, 2]
    first = client.submit(sum, (i for i in range(5)))
    second = client.submit(sum, (i for i in range(5)))
    assert first.key != second.key  # a generator cannot be hashed: each call is its own task
    assert client.gather([first, second]) == [10, 10]


def test_unpicklable_arguments_and_closures_get_fresh_keys(client):
    lock = threading.Lock()

    def guarded(x):
        with lock:
            return x * 3

    calls = [client.submit(lambda held, x: x + 1, lock, 1), client.submit(lambda held, x: x + 1, lock, 1)]
    assert calls[0].key != calls[1].key
    assert client.gather(calls) == [2, 2]
    mapped = client.map(guarded, [1, 2, 3])
    assert len({f.key for f in mapped}) == 3
    assert client.gather(mapped) == [guarded(1), guarded(2), guarded(3)]
    assert client.submit(guarded, 2).key != client.submit(guarded, 2).key
    assert delayed(lambda held, x: x - 1, pure=True)(lock, 5).compute() == 4
    kw = client.submit(lambda x, held=None: x, 7, held=threading.RLock())
    assert kw.result() == 7


def test_equal_plain_calls_still_share_keys(client):
    assert client.submit(sum, [1, 2, 3]).key == client.submit(sum, [1, 2, 3]).key
    assert client.submit(sum, [1, 2, 3]).key != client.submit(sum, [1, 2, 4]).key
    assert client.submit(sum, [1, 2], pure=False).key != client.submit(sum, [1, 2], pure=False).key
