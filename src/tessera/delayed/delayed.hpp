// tessera::delayed: lazy calls of ordinary C++ functions, as dask.delayed.
//
//   auto inc = [](int64_t x) { return x + 1; };
//   auto add = [](int64_t a, int64_t b) { return a + b; };
//   auto x = tessera::delayed(inc)(1);
//   auto y = tessera::delayed(inc)(2);
//   auto z = tessera::delayed(add)(x, y);
//   int64_t result = z.compute();  // 5
//
// Arguments may be Delayed values, futures, literals, and std::vector / std::tuple nesting of
// them. A call's key is deterministic for pure calls (same function, same arguments -> same
// key -> computed once) and unique otherwise (Dask's default, pure=False).
#pragma once

#include <tuple>
#include <utility>
#include <type_traits>
#include <vector>

#include "tessera/delayed/delayed_node.hpp"
#include "tessera/delayed/table_value.hpp"
#include "tessera/delayed/value_traits.hpp"
#include "tessera/sched/local_scheduler.hpp"

namespace tessera {

template <typename T>
class Delayed;
template <typename T>
class Future;

struct DelayedOptions {
  /// Same function and arguments give the same key (computed once). Default false, as Dask.
  bool pure = false;
  /// Key prefix shown in errors, progress and task streams ("delayed" when empty).
  std::string name;
  /// Number of outputs of a function returning std::vector; enables Delayed::Split().
  size_t nout = 0;
};

namespace delayed_internal {

template <typename A>
struct ArgTraits;

template <typename A>
inline constexpr bool kHasReferences = ArgTraits<A>::kHasReferences;

// Literals without lazy parts: one boxed value.
template <typename A>
struct ArgTraits {
  static constexpr bool kHasReferences = false;
  using Type = A;
  static void Flatten(const A& a, std::vector<FlatArg>* out) { out->push_back({{}, nullptr, nullptr, ValueTraits<A>::Box(a)}); }
  static A Rebuild(const graph::TaskInputs& in, size_t* pos) { return ValueTraits<A>::Unbox(in.Get((*pos)++)); }
};

template <>
struct ArgTraits<const char*> : ArgTraits<std::string> {
  static void Flatten(const char* a, std::vector<FlatArg>* out) { ArgTraits<std::string>::Flatten(std::string(a), out); }
};

template <typename T>
struct ArgTraits<Delayed<T>> {
  static constexpr bool kHasReferences = true;
  using Type = T;
  static void Flatten(const Delayed<T>& a, std::vector<FlatArg>* out) {
    const NodePtr& node = a.node();
    out->push_back({node->key, node->held ? nullptr : node, node->held, nullptr});
  }
  static T Rebuild(const graph::TaskInputs& in, size_t* pos) { return ValueTraits<T>::Unbox(in.Get((*pos)++)); }
};

template <typename T>
struct ArgTraits<Future<T>> {
  static constexpr bool kHasReferences = true;
  using Type = T;
  static void Flatten(const Future<T>& a, std::vector<FlatArg>* out) {
    out->push_back({a.key(), nullptr, a.handle(), nullptr});
  }
  static T Rebuild(const graph::TaskInputs& in, size_t* pos) { return ValueTraits<T>::Unbox(in.Get((*pos)++)); }
};

// Containers with lazy parts are flattened: a length, then each element.
template <typename X>
struct ArgTraits<std::vector<X>> {
  static constexpr bool kHasReferences = kHasReferences<X>;
  using Type = std::vector<typename ArgTraits<X>::Type>;
  static void Flatten(const std::vector<X>& a, std::vector<FlatArg>* out) {
    if constexpr (!kHasReferences) {
      out->push_back({{}, nullptr, nullptr, ValueTraits<Type>::Box(a)});
    } else {
      out->push_back({{}, nullptr, nullptr, graph::MakeInt64(int64_t(a.size()))});
      for (const X& x : a) ArgTraits<X>::Flatten(x, out);
    }
  }
  static Type Rebuild(const graph::TaskInputs& in, size_t* pos) {
    if constexpr (!kHasReferences) {
      return ValueTraits<Type>::Unbox(in.Get((*pos)++));
    } else {
      const int64_t size = in.Int64((*pos)++);
      Type result;
      result.reserve(size_t(size));
      for (int64_t i = 0; i < size; ++i) result.push_back(ArgTraits<X>::Rebuild(in, pos));
      return result;
    }
  }
};

template <typename... Xs>
struct ArgTraits<std::tuple<Xs...>> {
  static constexpr bool kHasReferences = (false || ... || ArgTraits<Xs>::kHasReferences);
  using Type = std::tuple<typename ArgTraits<Xs>::Type...>;
  static void Flatten(const std::tuple<Xs...>& a, std::vector<FlatArg>* out) {
    if constexpr (!kHasReferences) {
      out->push_back({{}, nullptr, nullptr, ValueTraits<Type>::Box(a)});
    } else {
      std::apply([&](const Xs&... xs) { (ArgTraits<Xs>::Flatten(xs, out), ...); }, a);
    }
  }
  static Type Rebuild(const graph::TaskInputs& in, size_t* pos) {
    if constexpr (!kHasReferences) {
      return ValueTraits<Type>::Unbox(in.Get((*pos)++));
    } else {
      return Type{ArgTraits<Xs>::Rebuild(in, pos)...};  // braces: evaluated left to right
    }
  }
};

template <typename A>
using Decayed = std::conditional_t<std::is_same_v<std::decay_t<A>, char*>, const char*, std::decay_t<A>>;

template <typename F, typename... Args>
using CallResult = std::invoke_result_t<const F&, typename ArgTraits<Decayed<Args>>::Type&...>;

/// The closure of one delayed call: rebuilds the typed arguments and boxes the result.
template <typename F, typename... Args>
class CallClosure final : public graph::Closure {
 public:
  CallClosure(F fn, std::string name) : fn_(std::move(fn)), name_(std::move(name)) {}
  graph::ValuePtr Call(const graph::TaskInputs& inputs) const override {
    size_t pos = 0;
    std::tuple<typename ArgTraits<Args>::Type...> args{ArgTraits<Args>::Rebuild(inputs, &pos)...};
    using R = CallResult<F, Args...>;
    if constexpr (std::is_void_v<R>) {
      std::apply(fn_, args);
      return graph::None();
    } else {
      return ValueTraits<std::decay_t<R>>::Box(std::apply(fn_, args));
    }
  }
  std::string_view name() const override { return name_; }

 private:
  F fn_;
  std::string name_;
};

/// Identity of a callable for pure keys: function pointers by address, stateless callables
/// by type; stateful callables by the wrapper that holds them (`fallback`).
template <typename F>
void HashFunction(const F& fn, uint64_t fallback, KeyHasher* hasher) {
  if constexpr (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>) {
    hasher->AddU64(uint64_t(reinterpret_cast<uintptr_t>(fn)));
  } else if constexpr (std::is_empty_v<F>) {
    hasher->AddText(typeid(F).name());
  } else {
    hasher->AddU64(fallback);
  }
}

template <typename F, typename... Args>
NodePtr MakeCallNode(const F& fn, const DelayedOptions& options, uint64_t wrapper_token, const Args&... args) {
  auto node = std::make_shared<DelayedNode>();
  (ArgTraits<Decayed<Args>>::Flatten(args, &node->args), ...);
  const std::string name = options.name.empty() ? "delayed" : options.name;
  uint64_t token = 0;
  bool hashed = options.pure;
  if (hashed) {
    KeyHasher hasher;
    HashFunction(fn, wrapper_token, &hasher);
    for (const FlatArg& arg : node->args) {
      if (!hasher.AddArg(arg)) {
        hashed = false;  // an argument without bytes: cannot prove two calls equal
        break;
      }
    }
    token = hasher.Finish();
  }
  node->key = MakeTokenKey(name, hashed ? token : UniqueToken());
  node->closure = std::make_shared<CallClosure<F, Decayed<Args>...>>(fn, name);
  node->nout = options.nout;
  return node;
}

template <typename T>
struct ElementOf {
  using type = void;
};
template <typename E>
struct ElementOf<std::vector<E>> {
  using type = E;
};

}  // namespace delayed_internal

/// A lazy value of type T: the result of a delayed call, or a persisted result.
template <typename T>
class Delayed {
 public:
  explicit Delayed(delayed_internal::NodePtr node) : node_(std::move(node)) {}

  graph::Key key() const { return node_->key; }
  const delayed_internal::NodePtr& node() const { return node_; }

  /// Computes the value on `scheduler` and waits. Rethrows the first task error.
  T compute(sched::Scheduler& scheduler = sched::DefaultScheduler()) const {
    auto handles = delayed_internal::SubmitNodes(scheduler, {node_}, {});
    return ValueTraits<T>::Unbox(handles[0]->Wait());
  }
  /// Starts computing and returns a Delayed backed by the result held in the scheduler (kept
  /// while this object or a copy lives). Later computations read it instead of recomputing.
  Delayed persist(sched::Scheduler& scheduler = sched::DefaultScheduler()) const {
    auto handles = delayed_internal::SubmitNodes(scheduler, {node_}, {});
    auto held = std::make_shared<delayed_internal::DelayedNode>();
    held->key = node_->key;
    held->held = handles[0];
    held->nout = node_->nout;
    return Delayed(held);
  }

  /// Element I of a tuple (or pair) result, as its own lazy value.
  template <size_t I>
  auto get() const {
    using E = std::decay_t<std::tuple_element_t<I, T>>;
    auto pick = [](const T& whole) -> E { return std::get<I>(whole); };
    DelayedOptions options{true, std::string(key().Name()) + "-get" + std::to_string(I), 0};
    return Delayed<E>(delayed_internal::MakeCallNode(pick, options, 0, *this));
  }
  /// Element i of a std::vector result.
  template <typename U = T, typename E = typename delayed_internal::ElementOf<U>::type>
  Delayed<E> operator[](size_t i) const {
    auto pick = [](const U& whole, int64_t index) -> E {
      if (index >= int64_t(whole.size())) {
        throw IndexError("delayed result has " + std::to_string(whole.size()) + " elements, asked for element " + std::to_string(index) + "; check nout");
      }
      return whole[size_t(index)];
    };
    DelayedOptions options{true, std::string(key().Name()) + "-item", 0};
    return Delayed<E>(delayed_internal::MakeCallNode(pick, options, 0, *this, int64_t(i)));
  }
  /// The `nout` outputs declared for a function returning std::vector.
  template <typename U = T, typename E = typename delayed_internal::ElementOf<U>::type>
  std::vector<Delayed<E>> split() const {
    if (node_->nout == 0) throw InvalidArgument("split() needs DelayedOptions::nout on the delayed function returning a vector");
    std::vector<Delayed<E>> parts;
    for (size_t i = 0; i < node_->nout; ++i) parts.push_back((*this)[i]);
    return parts;
  }

 private:
  delayed_internal::NodePtr node_;
};

/// A function whose calls build Delayed values instead of running.
template <typename F>
class DelayedFunction {
 public:
  DelayedFunction(F fn, DelayedOptions options)
      : fn_(std::move(fn)), options_(std::move(options)), token_(delayed_internal::UniqueToken()) {}

  template <typename... Args>
  auto operator()(const Args&... args) const {
    using R = std::decay_t<delayed_internal::CallResult<F, Args...>>;
    using Value = std::conditional_t<std::is_void_v<R>, graph::ValuePtr, R>;
    return Delayed<Value>(delayed_internal::MakeCallNode(fn_, options_, token_, args...));
  }

 private:
  F fn_;
  DelayedOptions options_;
  uint64_t token_;
};

/// Wraps `fn` so that calling it builds a lazy task (see the file comment).
template <typename F>
DelayedFunction<std::decay_t<F>> delayed(F&& fn, DelayedOptions options = {}) {
  return DelayedFunction<std::decay_t<F>>(std::forward<F>(fn), std::move(options));
}

/// Computes several lazy values in one graph, so work they share runs once.
template <typename... Ts>
std::tuple<Ts...> compute_on(sched::Scheduler& scheduler, const Delayed<Ts>&... values) {
  auto handles = delayed_internal::SubmitNodes(scheduler, {values.node()...}, {});
  return [&]<size_t... I>(std::index_sequence<I...>) {
    return std::tuple<Ts...>{ValueTraits<Ts>::Unbox(handles[I]->Wait())...};
  }(std::index_sequence_for<Ts...>{});
}

/// compute_on the default scheduler (Dask's dask.compute(a, b, ...); named compute_all because
/// tessera::compute is the kernels' namespace).
template <typename... Ts>
std::tuple<Ts...> compute_all(const Delayed<Ts>&... values) {
  return compute_on(sched::DefaultScheduler(), values...);
}

/// Persists every value in one graph (shared work runs once); see Delayed::persist.
template <typename T>
std::vector<Delayed<T>> persist(const std::vector<Delayed<T>>& values, sched::Scheduler& scheduler = sched::DefaultScheduler()) {
  std::vector<delayed_internal::NodePtr> nodes;
  for (const auto& value : values) nodes.push_back(value.node());
  auto handles = delayed_internal::SubmitNodes(scheduler, nodes, {});
  std::vector<Delayed<T>> result;
  for (size_t i = 0; i < values.size(); ++i) {
    auto held = std::make_shared<delayed_internal::DelayedNode>();
    held->key = values[i].key();
    held->held = handles[i];
    held->nout = values[i].node()->nout;
    result.emplace_back(held);
  }
  return result;
}

}  // namespace tessera
