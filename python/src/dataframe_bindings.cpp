#include "dataframe_bindings.hpp"

#include <algorithm>
#include <type_traits>

#include <nanobind/stl/function.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "python_value.hpp"
#include "table_convert.hpp"
#include "tessera/dataframe/group_by.hpp"
#include "tessera/dataframe/parquet_sink.hpp"
#include "tessera/dataframe/sources.hpp"
#include "tessera/datasets/taxi.hpp"
#include "tessera/expr/optimizer.hpp"
#include "tessera/expr/read_parquet_node.hpp"
#include "tessera/expr/reduction.hpp"
#include "tessera/io/csv/csv_options.hpp"
#include "tessera/sched/local_scheduler.hpp"
#include "tessera/sched/progress_bar.hpp"

#include <ostream>

namespace tessera::python {

using dataframe::DataFrame;
using dataframe::GroupBy;
using dataframe::Literal;
using dataframe::Resampler;
using dataframe::Rolling;
using dataframe::Scalar;
using dataframe::Series;
using dataframe::SeriesGroupBy;

using SchedulerArg = const SchedulerHandle*;

sched::Scheduler& SchedulerOf(const SchedulerHandle* handle) {
  return handle != nullptr ? *handle->scheduler : sched::DefaultScheduler();
}

namespace {

// Runs `fn` with the GIL released (interruptible) and returns its result.
template <typename F>
auto Released(SchedulerArg handle, F&& fn) -> decltype(fn(std::declval<sched::Scheduler&>())) {
  sched::Scheduler& scheduler = SchedulerOf(handle);
  using R = decltype(fn(scheduler));
  std::optional<R> result;
  // Dataframe computations wait inside the engine, so Ctrl-C cancels the scheduler's work.
  RunReleased([&] { result.emplace(fn(scheduler)); }, [&] { scheduler.CancelAll(); });
  return std::move(*result);
}

// storage_options as the Python package normalises them (tessera/dataframe/_storage.py):
// plain keys with str, bool, int or {str: str} values.
io::StorageOptions ToStorageOptions(const nb::dict& given) {
  io::StorageOptions options;
  for (auto [key, value] : given) {
    const std::string k = nb::cast<std::string>(key);
    if (k == "anon") options.anon = nb::cast<bool>(value);
    else if (k == "key") options.key = nb::cast<std::string>(value);
    else if (k == "secret") options.secret = nb::cast<std::string>(value);
    else if (k == "token") options.token = nb::cast<std::string>(value);
    else if (k == "profile") options.profile = nb::cast<std::string>(value);
    else if (k == "endpoint_url") options.endpoint_url = nb::cast<std::string>(value);
    else if (k == "region") options.region = nb::cast<std::string>(value);
    else if (k == "requester_pays") options.requester_pays = nb::cast<bool>(value);
    else if (k == "headers") options.headers = nb::cast<std::map<std::string, std::string>>(value);
    else if (k == "retries") options.retries = nb::cast<int>(value);
    else throw TypeError("storage_options: unknown option '" + k + "'");
  }
  return options;
}

// Python constants as engine scalars: None, bool, int, float, str, and ("datetime64[unit]",
// ticks) / ("timedelta64[unit]", ticks) tuples that the Python package makes from pandas' and
// NumPy's time types.
compute::Scalar ToScalar(nb::handle value) {
  if (value.is_none()) return compute::Scalar::Null(types::Float64());
  if (nb::isinstance<nb::bool_>(value)) return compute::Scalar::Bool(nb::cast<bool>(value));
  if (nb::isinstance<nb::int_>(value)) return compute::Scalar::Int64(nb::cast<int64_t>(value));
  if (nb::isinstance<nb::float_>(value)) return compute::Scalar::Float64(nb::cast<double>(value));
  if (nb::isinstance<nb::str>(value)) return compute::Scalar::String(nb::cast<std::string>(value));
  if (nb::isinstance<nb::tuple>(value) && nb::len(value) == 2) {
    const DataType type = ParseDataType(nb::cast<std::string>(value[0]));
    if (type.has_unit()) return compute::Scalar::OfInt(type, nb::cast<int64_t>(value[1]));
  }
  throw TypeError("cannot use a value of type " + nb::cast<std::string>(nb::str(value.type().attr("__name__"))) +
                  " as a constant; use a number, bool, string, None or a timestamp");
}

Literal ToLiteral(nb::handle value) { return Literal(ToScalar(value)); }

std::vector<Literal> ToLiterals(nb::handle values) {
  std::vector<Literal> out;
  for (nb::handle value : values) out.push_back(ToLiteral(value));
  return out;
}

std::string DtypeName(DataType type);

// Engine scalars as (dtype, Python value or None); tessera/_convert.py makes pandas values.
nb::tuple FromScalar(const compute::Scalar& scalar) {
  const DataType type = scalar.type();
  std::string dtype = DtypeName(type);
  if (scalar.is_null()) return nb::make_tuple(dtype, nb::none());
  if (type.id() == TypeId::kBool) return nb::make_tuple(dtype, scalar.as_bool());
  if (type.id() == TypeId::kString || type.id() == TypeId::kCategorical) return nb::make_tuple(dtype, scalar.as_string());
  if (type.is_floating()) return nb::make_tuple(dtype, scalar.as_double());
  if (type.id() == TypeId::kUInt64) return nb::make_tuple(dtype, scalar.as_uint64());
  return nb::make_tuple(dtype, scalar.as_int64());
}

nb::list FromDivisions(const expr::Divisions& divisions) {
  nb::list out;
  for (const compute::Scalar& d : divisions) out.append(FromScalar(d));
  return out;
}

expr::Divisions ToDivisions(nb::handle values) {
  expr::Divisions out;
  for (nb::handle value : values) out.push_back(ToScalar(value));
  return out;
}

// Type names as the Python package reads them: pandas' names (timestamps and durations with
// their unit, "datetime64[us]"), and "date", "string" for the types it turns into pandas dtypes
// itself.
std::string DtypeName(DataType type) {
  switch (type.id()) {
    case TypeId::kDate: return "date";
    case TypeId::kString: return "string";
    default: return type.ToString();
  }
}

nb::list FromSchema(const Schema& schema) {
  nb::list out;
  for (const Field& field : schema.fields()) out.append(nb::make_tuple(field.name, DtypeName(field.type)));
  return out;
}

// `x op y` for Series and constants; the combinations the C++ API has no operator for are a
// TypeError.
template <typename A, typename B>
Series ApplyBinary(const std::string& op, const A& x, const B& y) {
  if (op == "add") return x + y;
  if (op == "sub") return x - y;
  if (op == "mul") return x * y;
  if (op == "truediv") return x / y;
  if (op == "mod") return x % y;
  if constexpr (std::is_same_v<A, Series>) {
    if (op == "floordiv") return dataframe::floordiv(x, y);
    if (op == "pow") return dataframe::pow(x, y);
    if (op == "eq") return x == y;
    if (op == "ne") return x != y;
    if (op == "lt") return x < y;
    if (op == "le") return x <= y;
    if (op == "gt") return x > y;
    if (op == "ge") return x >= y;
    if (op == "and") return x & y;
    if (op == "or") return x | y;
    if (op == "xor") return x ^ y;
  }
  throw TypeError("unsupported operands for " + op + (std::is_same_v<A, Series> ? "" : " with a constant on the left"));
}

// Two operands, each a Series or a constant.
Series Binary(const std::string& op, nb::handle lhs, nb::handle rhs) {
  Series* a = nullptr;
  Series* b = nullptr;
  const bool left_series = nb::try_cast(lhs, a, false) && a != nullptr;
  const bool right_series = nb::try_cast(rhs, b, false) && b != nullptr;
  if (left_series && right_series) return ApplyBinary(op, *a, *b);
  if (left_series) return ApplyBinary(op, *a, ToLiteral(rhs));
  if (right_series) return ApplyBinary(op, ToLiteral(lhs), *b);
  throw TypeError("unsupported operands for " + op + ": neither is a Series");
}

// A Python object kept alive by C++ callables that may outlive the call that made them; released
// with the GIL held (or leaked when the interpreter has already gone).
std::shared_ptr<nb::object> HeldPython(nb::object object) {
  return std::shared_ptr<nb::object>(new nb::object(std::move(object)), [](nb::object* p) {
    if (InterpreterAlive()) {
      nb::gil_scoped_acquire gil;
      delete p;
    } else {
      (void)p->release();
      delete p;
    }
  });
}

}  // namespace

// A Python function over one partition: takes and returns tessera._core.Table objects (the
// package converts to and from pandas around the user's function). Called on worker threads.
std::function<TablePtr(const TablePtr&)> PartitionFunction(nb::object function) {
  auto holder = HeldPython(std::move(function));
  return [holder](const TablePtr& table) -> TablePtr {
    nb::gil_scoped_acquire gil;
    nb::object result = CallPython(*holder, nb::make_tuple(WrapTable(table)), "of a partition function");
    return UnwrapTable(result, "map_partitions function");
  };
}

expr::PortableFunction PortablePython(nb::handle function) {
  auto held = HoldObject(function);
  return {"python", [held]() -> std::string {
            nb::gil_scoped_acquire gil;
            nb::bytes bytes = nb::cast<nb::bytes>(nb::module_::import_("cloudpickle").attr("dumps")(
                nb::handle(static_cast<PyObject*>(const_cast<void*>(held.get())))));
            return std::string(bytes.c_str(), bytes.size());
          }};
}

namespace {

// A Python function over the i-th partitions of several collections: called with the partition
// number and a list of tessera._core.Table objects, returns one. Called on worker threads.
std::function<TablePtr(int64_t, const std::vector<TablePtr>&)> ZipFunction(nb::object function) {
  auto holder = HeldPython(std::move(function));
  return [holder](int64_t partition, const std::vector<TablePtr>& tables) -> TablePtr {
    nb::gil_scoped_acquire gil;
    nb::list wrapped;
    for (const auto& table : tables) wrapped.append(WrapTable(table));
    nb::object result = CallPython(*holder, nb::make_tuple(partition, wrapped), "of a partition-wise function");
    return UnwrapTable(result, "zip_partitions function");
  };
}

TablePtr OptionalTable(nb::handle table) { return table.is_none() ? nullptr : UnwrapTable(table, "meta"); }

dataframe::GroupByOptions GroupOptions(bool sort, bool dropna, int64_t split_out, int64_t split_every) {
  return {.sort = sort, .dropna = dropna, .split_out = split_out, .split_every = split_every};
}

dataframe::ReduceOptions Reduce(int64_t split_every) { return {.split_every = split_every}; }

}  // namespace

void BindDataFrame(nb::module_& m) {
  nb::class_<SchedulerHandle>(m, "Scheduler")
      .def_static(
          "local",
          [](int num_threads, int64_t memory_limit, std::string spill_directory, int max_threads) {
            sched::LocalSchedulerOptions options;
            options.num_threads = num_threads;
            options.max_threads = max_threads;
            options.memory.memory_limit = memory_limit;
            options.memory.spill_directory = std::move(spill_directory);
            // Destroying a scheduler joins its workers, which may be waiting for the GIL to run
            // or finish Python tasks: drop the GIL first when the destroying thread holds it.
            std::shared_ptr<sched::Scheduler> owned(new sched::LocalScheduler(options), [](sched::Scheduler* s) {
              if (InterpreterAlive() && PyGILState_Check()) {
                nb::gil_scoped_release release;
                delete s;
              } else {
                delete s;
              }
            });
            return SchedulerHandle{owned, owned.get()};
          },
          nb::arg("num_threads") = 0, nb::arg("memory_limit") = 0, nb::arg("spill_directory") = "",
          nb::arg("max_threads") = 0)
      .def_static("default", [] { return SchedulerHandle{nullptr, &sched::DefaultScheduler()}; })
      .def("stats",
           [](const SchedulerHandle& h) {
             sched::SchedulerStats s = h.scheduler->stats();
             nb::dict out;
             out["tasks_run"] = s.tasks_run;
             out["memory_bytes"] = s.memory_bytes;
             out["spilled_bytes"] = s.spilled_bytes;
             out["total_spilled_bytes"] = s.total_spilled_bytes;
             out["total_read_back_bytes"] = s.total_read_back_bytes;
             out["memory_limit"] = s.memory_limit;
             return out;
           })
      .def_prop_ro("num_threads", [](const SchedulerHandle& h) { return h.scheduler->num_threads(); })
      .def_prop_ro("max_threads", [](const SchedulerHandle& h) {
        auto* local = dynamic_cast<sched::LocalScheduler*>(h.scheduler);
        return local != nullptr ? local->max_threads() : h.scheduler->num_threads();
      })
      .def("set_num_threads", [](const SchedulerHandle& h, int num_threads) {
        auto* local = dynamic_cast<sched::LocalScheduler*>(h.scheduler);
        if (local == nullptr) throw TypeError("only a local scheduler can change its number of threads");
        local->SetNumThreads(num_threads);
      }, "Grows or shrinks the worker threads (1..max_threads), keeping held results.")
      .def("cancel_all", [](const SchedulerHandle& h) {
        nb::gil_scoped_release release;
        h.scheduler->CancelAll();
      })
      .def("close", [](SchedulerHandle& h) {
        nb::gil_scoped_release release;  // joins worker threads, which may need the GIL
        h.owned.reset();
        h.scheduler = &sched::DefaultScheduler();
      });

  // Task counts from the scheduler's event stream; tessera.diagnostics.ProgressBar draws them
  // from Python so the bar shows in notebooks as in terminals.
  struct ProgressCounter {
    std::shared_ptr<std::ostream> discard = std::make_shared<std::ostream>(nullptr);
    std::shared_ptr<sched::ProgressBar> bar = std::make_shared<sched::ProgressBar>(*discard);
    SchedulerHandle scheduler;  // holds a Client's scheduler until close()
  };
  nb::class_<ProgressCounter>(m, "ProgressCounter")
      .def("__init__", [](ProgressCounter* self, const SchedulerHandle* h) {
        new (self) ProgressCounter();
        self->scheduler = h ? *h : SchedulerHandle{nullptr, &sched::DefaultScheduler()};
        self->scheduler.scheduler->events().Subscribe(self->bar);
      }, nb::arg("scheduler").none())
      .def_prop_ro("total", [](const ProgressCounter& p) { return p.bar->total(); })
      .def_prop_ro("finished", [](const ProgressCounter& p) { return p.bar->finished(); })
      .def("close", [](ProgressCounter& p) {
        if (p.scheduler.scheduler) p.scheduler.scheduler->events().Unsubscribe(p.bar.get());
        p.scheduler = {};
      });

  m.def("binary", &Binary, nb::arg("op"), nb::arg("lhs").none(), nb::arg("rhs").none());

  nb::class_<Scalar>(m, "Scalar")
      .def_prop_ro("dtype", [](const Scalar& s) { return DtypeName(s.dtype()); })
      .def("compute", [](const Scalar& s, SchedulerArg h) { return FromScalar(Released(h, [&](auto& x) { return s.compute(x); })); },
           nb::arg("scheduler").none() = nb::none())
      .def("explain", &Scalar::explain)
      .def("__repr__", &Scalar::ToString);

  nb::class_<Series>(m, "Series")
      .def_prop_ro("name", &Series::name)
      .def_prop_ro("dtype", [](const Series& s) { return DtypeName(s.dtype()); })
      .def_prop_ro("npartitions", &Series::npartitions)
      .def_prop_ro("divisions", [](const Series& s) { return FromDivisions(s.divisions()); })
      .def_prop_ro("known_divisions", &Series::known_divisions)
      .def("rename", &Series::rename)
      .def("astype", &Series::astype)
      .def("isnull", &Series::isnull)
      .def("notnull", &Series::notnull)
      .def("fillna", [](const Series& s, nb::handle v) { return s.fillna(ToLiteral(v)); }, nb::arg("value").none())
      .def("where", [](const Series& s, const Series& c, nb::handle other) {
        Series* o = nullptr;
        if (nb::try_cast(other, o) && o) return s.where(c, *o);
        if (other.is_none()) return s.where(c);
        return s.where(c, ToLiteral(other));
      }, nb::arg("condition"), nb::arg("other").none())
      .def("mask", [](const Series& s, const Series& c, nb::handle other) {
        return other.is_none() ? s.mask(c) : s.mask(c, ToLiteral(other));
      }, nb::arg("condition"), nb::arg("other").none())
      .def("between", [](const Series& s, nb::handle lo, nb::handle hi, const std::string& inclusive) {
        return s.between(ToLiteral(lo), ToLiteral(hi), inclusive);
      })
      .def("isin", [](const Series& s, nb::handle values) { return s.isin(ToLiterals(values)); })
      .def("clip", [](const Series& s, nb::handle lo, nb::handle hi) {
        std::optional<Literal> lower, upper;
        if (!lo.is_none()) lower = ToLiteral(lo);
        if (!hi.is_none()) upper = ToLiteral(hi);
        return s.clip(lower, upper);
      }, nb::arg("lower").none(), nb::arg("upper").none())
      .def("abs", &Series::abs)
      .def("round", &Series::round)
      .def("neg", [](const Series& s) { return -s; })
      .def("invert", [](const Series& s) { return ~s; })
      .def("filter", [](const Series& s, const Series& mask) { return s[mask]; })
      .def("dt", [](const Series& s, const std::string& field, std::string freq) {
        auto dt = s.dt();
        if (field == "year") return dt.year();
        if (field == "month") return dt.month();
        if (field == "day") return dt.day();
        if (field == "hour") return dt.hour();
        if (field == "minute") return dt.minute();
        if (field == "second") return dt.second();
        if (field == "dayofweek") return dt.dayofweek();
        if (field == "dayofyear") return dt.dayofyear();
        if (field == "date") return dt.date();
        if (field == "normalize") return dt.normalize();
        if (field == "floor") return dt.floor(freq);
        if (field == "ceil") return dt.ceil(freq);
        if (field == "round") return dt.round(freq);
        throw nb::attribute_error(("Series.dt has no attribute " + field).c_str());
      }, nb::arg("field"), nb::arg("freq") = "")
      .def("str_len", [](const Series& s) { return s.str().len(); })
      .def("str_lower", [](const Series& s) { return s.str().lower(); })
      .def("str_upper", [](const Series& s) { return s.str().upper(); })
      .def("str_strip", [](const Series& s) { return s.str().strip(); })
      .def("str_lstrip", [](const Series& s) { return s.str().lstrip(); })
      .def("str_rstrip", [](const Series& s) { return s.str().rstrip(); })
      .def("str_contains", [](const Series& s, const std::string& p, bool regex) { return s.str().contains(p, regex); })
      .def("str_startswith", [](const Series& s, const std::string& p) { return s.str().startswith(p); })
      .def("str_endswith", [](const Series& s, const std::string& p) { return s.str().endswith(p); })
      .def("str_slice", [](const Series& s, std::optional<int64_t> a, std::optional<int64_t> b) { return s.str().slice(a, b); },
           nb::arg("start").none(), nb::arg("stop").none())
      .def("str_replace", [](const Series& s, const std::string& a, const std::string& b) { return s.str().replace(a, b); })
      .def("sum", [](const Series& s, int64_t e) { return s.sum(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("mean", [](const Series& s, int64_t e) { return s.mean(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("count", [](const Series& s, int64_t e) { return s.count(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("min", [](const Series& s, int64_t e) { return s.min(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("max", [](const Series& s, int64_t e) { return s.max(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("var", [](const Series& s, int ddof, int64_t e) { return s.var(ddof, Reduce(e)); }, nb::arg("ddof") = 1, nb::arg("split_every") = 8)
      .def("std", [](const Series& s, int ddof, int64_t e) { return s.std(ddof, Reduce(e)); }, nb::arg("ddof") = 1, nb::arg("split_every") = 8)
      .def("nunique", [](const Series& s, bool dropna, int64_t e) { return s.nunique(dropna, Reduce(e)); }, nb::arg("dropna") = true, nb::arg("split_every") = 8)
      .def("any", [](const Series& s, int64_t e) { return s.any(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("all", [](const Series& s, int64_t e) { return s.all(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("idxmin", [](const Series& s, int64_t e) { return s.idxmin(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("idxmax", [](const Series& s, int64_t e) { return s.idxmax(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("quantile", [](const Series& s, double q) { return s.quantile(q); })
      .def("size", &Series::size)
      .def("describe", &Series::describe)
      .def("value_counts", &Series::value_counts, nb::arg("sort") = true, nb::arg("ascending") = false,
           nb::arg("normalize") = false, nb::arg("dropna") = true, nb::arg("split_out") = 1)
      .def("unique", &Series::unique, nb::arg("split_out") = 1)
      .def("nlargest", &Series::nlargest)
      .def("nsmallest", &Series::nsmallest)
      .def("with_scalars", &Series::with_scalars)
      .def("groupby", &Series::groupby)
      .def("resample", &Series::resample)
      .def("rolling_rows", [](const Series& s, int64_t w, std::optional<int64_t> mp) { return s.rolling(w, mp); },
           nb::arg("window"), nb::arg("min_periods").none())
      .def("rolling_span", [](const Series& s, const std::string& w, int64_t mp) { return s.rolling(w, mp); })
      .def("to_frame", &Series::to_frame)
      .def("head", [](const Series& s, int64_t n, SchedulerArg h) {
        return WrapTable(Released(h, [&](auto& x) { return s.to_frame().head(n, x); }));
      }, nb::arg("n"), nb::arg("scheduler").none() = nb::none())
      .def("compute", [](const Series& s, SchedulerArg h) { return WrapTable(Released(h, [&](auto& x) { return s.compute(x); })); },
           nb::arg("scheduler").none() = nb::none())
      .def("persist", [](const Series& s, SchedulerArg h) { return Released(h, [&](auto& x) { return s.persist(x); }); },
           nb::arg("scheduler").none() = nb::none())
      .def("explain", &Series::explain)
      .def("__repr__", &Series::ToString);

  nb::class_<DataFrame>(m, "DataFrame")
      .def_prop_ro("columns", &DataFrame::columns)
      .def_prop_ro("dtypes", [](const DataFrame& d) { return FromSchema(d.dtypes()); })
      .def_prop_ro("index_name", [](const DataFrame& d) { return d.meta()->index_name(); })
      .def_prop_ro("index_dtype", [](const DataFrame& d) -> nb::object {
        if (!d.meta()->has_index()) return nb::none();
        return nb::str(DtypeName(d.meta()->index()->type()).c_str());
      })
      .def_prop_ro("npartitions", &DataFrame::npartitions)
      .def_prop_ro("divisions", [](const DataFrame& d) { return FromDivisions(d.divisions()); })
      .def_prop_ro("known_divisions", &DataFrame::known_divisions)
      .def("meta", [](const DataFrame& d) { return WrapTable(d.meta()); })
      .def("index", &DataFrame::index)
      .def("column", [](const DataFrame& d, const std::string& c) { return d[c]; })
      .def("select", [](const DataFrame& d, const std::vector<std::string>& c) { return d[c]; })
      .def("filter", [](const DataFrame& d, const Series& mask) { return d[mask]; })
      .def("assign", [](const DataFrame& d, const std::string& name, nb::handle value) {
        Series* s = nullptr;
        if (nb::try_cast(value, s) && s) return d.assign(name, *s);
        return d.assign(name, ToLiteral(value));
      }, nb::arg("name"), nb::arg("value").none())
      .def("drop", &DataFrame::drop)
      .def("rename", &DataFrame::rename)
      .def("astype", nb::overload_cast<const std::map<std::string, std::string>&>(&DataFrame::astype, nb::const_))
      .def("astype_all", nb::overload_cast<const std::string&>(&DataFrame::astype, nb::const_))
      .def("isnull", &DataFrame::isnull)
      .def("notnull", &DataFrame::notnull)
      .def("fillna", [](const DataFrame& d, nb::handle v) {
        if (nb::isinstance<nb::dict>(v)) {
          std::map<std::string, Literal> values;
          for (auto [k, x] : nb::cast<nb::dict>(v)) values.emplace(nb::cast<std::string>(k), ToLiteral(x));
          return d.fillna(values);
        }
        return d.fillna(ToLiteral(v));
      }, nb::arg("value").none())
      .def("dropna", &DataFrame::dropna)
      .def("where", [](const DataFrame& d, const Series& c, nb::handle o) { return d.where(c, ToLiteral(o)); },
           nb::arg("condition"), nb::arg("other").none())
      .def("mask", [](const DataFrame& d, const Series& c, nb::handle o) { return d.mask(c, ToLiteral(o)); },
           nb::arg("condition"), nb::arg("other").none())
      .def("clip", [](const DataFrame& d, nb::handle lo, nb::handle hi) {
        std::optional<Literal> lower, upper;
        if (!lo.is_none()) lower = ToLiteral(lo);
        if (!hi.is_none()) upper = ToLiteral(hi);
        return d.clip(lower, upper);
      }, nb::arg("lower").none(), nb::arg("upper").none())
      .def("abs", &DataFrame::abs)
      .def("round", &DataFrame::round)
      .def("sum", [](const DataFrame& d, int64_t e) { return d.sum(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("mean", [](const DataFrame& d, int64_t e) { return d.mean(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("count", [](const DataFrame& d, int64_t e) { return d.count(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("min", [](const DataFrame& d, int64_t e) { return d.min(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("max", [](const DataFrame& d, int64_t e) { return d.max(Reduce(e)); }, nb::arg("split_every") = 8)
      .def("var", [](const DataFrame& d, int ddof, int64_t e) { return d.var(ddof, Reduce(e)); }, nb::arg("ddof") = 1, nb::arg("split_every") = 8)
      .def("std", [](const DataFrame& d, int ddof, int64_t e) { return d.std(ddof, Reduce(e)); }, nb::arg("ddof") = 1, nb::arg("split_every") = 8)
      .def("nunique", [](const DataFrame& d, bool dropna) { return d.nunique(dropna); }, nb::arg("dropna") = true)
      .def("any", [](const DataFrame& d) { return d.any(); })
      .def("all", [](const DataFrame& d) { return d.all(); })
      .def("idxmin", [](const DataFrame& d) { return d.idxmin(); })
      .def("idxmax", [](const DataFrame& d) { return d.idxmax(); })
      .def("describe", &DataFrame::describe)
      .def("drop_duplicates", &DataFrame::drop_duplicates, nb::arg("subset"), nb::arg("split_out") = 1)
      .def("nlargest", &DataFrame::nlargest)
      .def("nsmallest", &DataFrame::nsmallest)
      .def("groupby_columns", [](const DataFrame& d, const std::vector<std::string>& keys, bool sort, bool dropna,
                                 int64_t split_out, int64_t split_every) {
        return d.groupby(keys).with_options(GroupOptions(sort, dropna, split_out, split_every));
      })
      .def("groupby_series", [](const DataFrame& d, const Series& key, bool sort, bool dropna, int64_t split_out,
                                int64_t split_every) {
        return d.groupby(key).with_options(GroupOptions(sort, dropna, split_out, split_every));
      })
      .def("set_index", [](const DataFrame& d, const std::string& column, bool sorted, nb::handle divisions,
                           int64_t npartitions, const std::string& shuffle, SchedulerArg h) {
        dataframe::SetIndexOptions options;
        options.sorted = sorted;
        if (!divisions.is_none()) options.divisions = ToDivisions(divisions);
        options.npartitions = npartitions;
        options.shuffle = shuffle;
        return Released(h, [&](auto& x) { return d.set_index(column, options, x); });
      }, nb::arg("column"), nb::arg("sorted"), nb::arg("divisions").none(), nb::arg("npartitions"),
           nb::arg("shuffle"), nb::arg("scheduler").none() = nb::none())
      .def("reset_index", &DataFrame::reset_index)
      .def("clear_divisions", &DataFrame::clear_divisions)
      .def("loc_label", [](const DataFrame& d, nb::handle label) {
        if (nb::isinstance<nb::str>(label)) return d.loc(nb::cast<std::string>(label));
        return d.loc(ToLiteral(label));
      }, nb::arg("label").none())
      .def("loc_labels", [](const DataFrame& d, nb::handle labels) { return d.loc(ToLiterals(labels)); })
      .def("loc_slice", [](const DataFrame& d, const std::string& a, const std::string& b) { return d.loc(a, b); })
      .def("resample", &DataFrame::resample)
      .def("repartition", nb::overload_cast<int64_t>(&DataFrame::repartition, nb::const_))
      .def("repartition_divisions", [](const DataFrame& d, nb::handle divisions) { return d.repartition(ToDivisions(divisions)); })
      .def("repartition_by_size", [](const DataFrame& d, int64_t bytes, SchedulerArg h) {
        return Released(h, [&](auto& x) { return d.repartition_by_size(bytes, x); });
      }, nb::arg("bytes"), nb::arg("scheduler").none() = nb::none())
      .def("sort_values", [](const DataFrame& d, const std::vector<std::string>& by, const std::vector<bool>& ascending,
                             SchedulerArg h) { return Released(h, [&](auto& x) { return d.sort_values(by, ascending, x); }); },
           nb::arg("by"), nb::arg("ascending"), nb::arg("scheduler").none() = nb::none())
      .def("merge", [](const DataFrame& d, const DataFrame& right, const std::string& how, std::vector<std::string> on,
                       std::vector<std::string> left_on, std::vector<std::string> right_on, bool left_index,
                       bool right_index, std::pair<std::string, std::string> suffixes, int64_t npartitions) {
        dataframe::MergeOptions options;
        options.how = how;
        options.on = std::move(on);
        options.left_on = std::move(left_on);
        options.right_on = std::move(right_on);
        options.left_index = left_index;
        options.right_index = right_index;
        options.suffixes = std::move(suffixes);
        options.npartitions = npartitions;
        return d.merge(right, options);
      })
      .def("join", &DataFrame::join)
      .def("to_csv", [](const DataFrame& d, const std::string& pattern, bool index, std::string sep, std::string na_rep,
                        nb::dict storage_options, std::vector<std::string> partition_names, SchedulerArg h) {
        io::CsvWriteOptions options;
        options.storage_options = ToStorageOptions(storage_options);
        options.partition_names = std::move(partition_names);
        options.index = index;
        if (sep.size() != 1) throw InvalidArgument("to_csv: sep must be one character, got '" + sep + "'");
        options.sep = sep[0];
        options.na_rep = std::move(na_rep);
        return Released(h, [&](auto& x) { return d.to_csv(pattern, options, x); });
      }, nb::arg("pattern"), nb::arg("index"), nb::arg("sep"), nb::arg("na_rep"),
         nb::arg("storage_options"), nb::arg("partition_names"), nb::arg("scheduler").none() = nb::none())
      .def("to_parquet", [](const DataFrame& d, const std::string& directory, std::vector<std::string> names,
                            std::string compression, int64_t row_group_size, bool write_index,
                            std::vector<std::string> partition_on, SchedulerArg h) {
        io::parquet::ParquetWriteOptions options;
        options.compression = std::move(compression);
        options.row_group_size = row_group_size;
        options.write_index = write_index;
        return Released(h, [&](auto& x) { return dataframe::to_parquet(d, directory, names, options, partition_on, x); });
      }, nb::arg("directory"), nb::arg("names"), nb::arg("compression"), nb::arg("row_group_size"), nb::arg("write_index"),
         nb::arg("partition_on"), nb::arg("scheduler").none() = nb::none())
      .def("map_partitions", [](const DataFrame& d, nb::object function, nb::handle meta, std::string name) {
        expr::PortableFunction portable = PortablePython(function);
        return d.map_partitions(PartitionFunction(std::move(function)), OptionalTable(meta), std::move(name),
                                std::move(portable));
      })
      .def("head", [](const DataFrame& d, int64_t n, SchedulerArg h) { return WrapTable(Released(h, [&](auto& x) { return d.head(n, x); })); },
           nb::arg("n"), nb::arg("scheduler").none() = nb::none())
      .def("tail", [](const DataFrame& d, int64_t n, SchedulerArg h) { return WrapTable(Released(h, [&](auto& x) { return d.tail(n, x); })); },
           nb::arg("n"), nb::arg("scheduler").none() = nb::none())
      .def("len", [](const DataFrame& d, SchedulerArg h) { return Released(h, [&](auto& x) { return d.len(x); }); },
           nb::arg("scheduler").none() = nb::none())
      .def("size", &DataFrame::size)
      .def("partitions", &DataFrame::partitions)
      .def("compute", [](const DataFrame& d, SchedulerArg h) { return WrapTable(Released(h, [&](auto& x) { return d.compute(x); })); },
           nb::arg("scheduler").none() = nb::none())
      .def("persist", [](const DataFrame& d, SchedulerArg h) { return Released(h, [&](auto& x) { return d.persist(x); }); },
           nb::arg("scheduler").none() = nb::none())
      .def("explain", &DataFrame::explain)
      .def("__repr__", &DataFrame::ToString);

  nb::class_<GroupBy>(m, "GroupBy")
      .def("column", [](const GroupBy& g, const std::string& c) { return g[c]; })
      .def("select", [](const GroupBy& g, const std::vector<std::string>& c) { return g[c]; })
      .def("aggregate", &GroupBy::aggregate, nb::arg("function"), nb::arg("ddof") = 1)
      .def("size", &GroupBy::size)
      .def("agg", nb::overload_cast<const std::map<std::string, std::vector<std::string>>&>(&GroupBy::agg, nb::const_))
      .def("agg_named", [](const GroupBy& g, const std::vector<std::tuple<std::string, std::string, std::string>>& named) {
        std::vector<dataframe::NamedAgg> aggs;
        for (const auto& [out, column, function] : named) aggs.push_back({out, column, function});
        return g.agg(aggs);
      })
      .def("apply", [](const GroupBy& g, nb::object function, nb::handle meta) {
        expr::PortableFunction portable = PortablePython(function);
        return g.apply(PartitionFunction(std::move(function)), OptionalTable(meta), std::move(portable));
      });

  nb::class_<SeriesGroupBy>(m, "SeriesGroupBy")
      .def("aggregate", &SeriesGroupBy::aggregate, nb::arg("function"), nb::arg("ddof") = 1)
      .def("agg", &SeriesGroupBy::agg);

  nb::class_<Resampler>(m, "Resampler")
      .def("aggregate", &Resampler::aggregate)
      .def("frame", &Resampler::frame)
      .def("agg", &Resampler::agg);

  nb::class_<Rolling>(m, "Rolling")
      .def("aggregate", &Rolling::aggregate, nb::arg("function"), nb::arg("ddof") = 1);

  m.def("read_csv", [](std::vector<std::string> paths, nb::dict kw) {
    io::CsvReadOptions o;
    for (auto [key, value] : kw) {
      const std::string k = nb::cast<std::string>(key);
      if (value.is_none()) {
        if (k == "header") o.header = -1;
        continue;
      }
      if (k == "storage_options") {
        o.storage_options = ToStorageOptions(nb::cast<nb::dict>(value));
        continue;
      }
      bool known = false;
      io::VisitCsvReadOptions(o, [&](const char* name, auto& field) {
        if (known || k != name) return;
        known = true;
        using Field = std::remove_reference_t<decltype(field)>;
        if constexpr (std::is_same_v<Field, char> || std::is_same_v<Field, std::optional<char>>) {
          const std::string text = nb::cast<std::string>(value);
          if (text.size() != 1) throw InvalidArgument("read_csv: " + k + " must be one character, got '" + text + "'");
          field = text[0];
        } else if constexpr (std::is_same_v<Field, TimeUnit>) {
          field = ParseDataType("datetime64[" + nb::cast<std::string>(value) + "]").unit();
        } else if constexpr (std::is_same_v<Field, std::optional<int64_t>>) {
          field = nb::cast<int64_t>(value);
        } else {
          field = nb::cast<Field>(value);
        }
      });
      if (!known) throw TypeError("read_csv() got an unexpected keyword argument '" + k + "'");
    }
    nb::gil_scoped_release release;
    return dataframe::read_csv(paths, o);
  });
  m.def("read_parquet", [](std::vector<std::string> paths, std::vector<std::string> columns,
                           std::optional<std::string> index, int64_t split_row_groups, int64_t blocksize,
                           bool calculate_divisions) {
    io::parquet::ParquetReadOptions o;
    o.columns = std::move(columns);
    o.index = std::move(index);
    o.split_row_groups = split_row_groups;
    o.blocksize = blocksize;
    nb::gil_scoped_release release;
    return dataframe::read_parquet(paths, o, calculate_divisions);
  });
  // The hive partition keys of a read_parquet frame and their values (directory text, sorted).
  m.def("read_parquet_partitions", [](const dataframe::DataFrame& df) {
    std::vector<std::pair<std::string, std::vector<std::string>>> partitions;
    if (const auto* read = dynamic_cast<const expr::ReadParquetNode*>(df.node().get())) {
      for (size_t k = 0; k < read->plan().partition_keys.size(); ++k) {
        partitions.emplace_back(read->plan().partition_keys[k], read->plan().partition_values[k]);
      }
    }
    return partitions;
  });
  // The frame's plan after optimisation (read_parquet(filters=) prunes row groups up front, as
  // Dask's does, so npartitions counts only the partitions read).
  m.def("optimized", [](const dataframe::DataFrame& df) { return dataframe::DataFrame(expr::Optimize({df.node()}).at(0)); });
  // Whether read_csv found no data rows at all (every file is header-only): pandas then gives
  // object columns, which the Python side restores.
  m.def("read_csv_found_no_rows", [](const dataframe::DataFrame& df) {
    if (const auto* read = dynamic_cast<const expr::ReadCsvNode*>(df.node().get())) return read->plan().blocks.empty();
    if (const auto* tables = dynamic_cast<const expr::FromTablesNode*>(df.node().get())) {
      return std::all_of(tables->tables().begin(), tables->tables().end(), [](const TablePtr& t) { return t->num_rows() == 0; });
    }
    return false;
  });
  m.def("from_tables", [](nb::handle tables, nb::handle divisions) {
    std::vector<TablePtr> parts;
    for (nb::handle t : tables) parts.push_back(UnwrapTable(t, "from_tables"));
    return dataframe::from_tables(std::move(parts), divisions.is_none() ? expr::Divisions{} : ToDivisions(divisions));
  }, nb::arg("tables"), nb::arg("divisions").none());
  m.def("from_table", [](nb::handle table, int64_t npartitions, bool sort) {
    return dataframe::from_table(UnwrapTable(table, "from_table"), npartitions, sort);
  });
  m.def("timeseries", [](std::string start, std::string end, std::string freq, std::string partition_freq, uint64_t seed,
                         const std::string& unit) {
    datasets::TimeseriesOptions o;
    o.unit = ParseDataType("datetime64[" + unit + "]").unit();
    o.start = std::move(start);
    o.end = std::move(end);
    o.freq = std::move(freq);
    o.partition_freq = std::move(partition_freq);
    o.seed = seed;
    return dataframe::timeseries(o);
  }, nb::arg("start"), nb::arg("end"), nb::arg("freq"), nb::arg("partition_freq"), nb::arg("seed"), nb::arg("unit") = "us");
  m.def("write_taxi_files", [](const std::string& directory, int files, int64_t rows, uint64_t seed) {
    nb::gil_scoped_release release;
    return datasets::WriteTaxiFiles(directory, files, rows, seed);
  });
  m.def("concat", &dataframe::concat);
  m.def("zip_partitions", [](const std::vector<DataFrame>& frames, std::vector<bool> broadcast, nb::object function,
                            nb::handle meta, std::string name, bool keep_divisions) {
    return dataframe::zip_partitions(frames, std::move(broadcast), ZipFunction(std::move(function)),
                                     UnwrapTable(meta, "meta"), std::move(name), keep_divisions);
  }, nb::arg("frames"), nb::arg("broadcast"), nb::arg("function"), nb::arg("meta"), nb::arg("name"),
     nb::arg("keep_divisions"));
  m.def("compute_all", [](nb::handle objects, SchedulerArg h) {
    std::vector<expr::NodePtr> nodes;
    for (nb::handle o : objects) {
      DataFrame* d = nullptr;
      Series* s = nullptr;
      Scalar* c = nullptr;
      if (nb::try_cast(o, d) && d) nodes.push_back(d->node());
      else if (nb::try_cast(o, s) && s) nodes.push_back(s->node());
      else if (nb::try_cast(o, c) && c) nodes.push_back(c->node());
      else throw TypeError("compute_all: expected DataFrame, Series or Scalar objects");
    }
    std::vector<TablePtr> tables = Released(h, [&](auto& x) { return dataframe::compute_all(nodes, x); });
    nb::list out;
    for (const TablePtr& t : tables) out.append(WrapTable(t));
    return out;
  }, nb::arg("objects"), nb::arg("scheduler").none() = nb::none());
  m.def("scalar_of_table", [](nb::handle table) {
    TablePtr t = UnwrapTable(table, "scalar_of_table");
    return FromScalar(expr::ScalarAt(*t->column(0), 0));
  });
}

}  // namespace tessera::python
