// Running lowered DataFrame graphs on Dask's distributed: lower_tasks turns collections into a
// flat task list (every task a registered operation with serialised parameters), run_operation
// runs one such task with the GIL released, and Partition carries task values between
// processes as a small header plus one zero-copy frame per column buffer.
#include "cluster_bindings.hpp"

#include <nanobind/ndarray.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <unordered_map>

#include "dataframe_bindings.hpp"
#include "python_value.hpp"
#include "table_convert.hpp"
#include "tessera/base/error.hpp"
#include "tessera/dataframe/dataframe.hpp"
#include "tessera/dataframe/sources.hpp"
#include "tessera/expr/lowering.hpp"
#include "tessera/expr/node_codec.hpp"
#include "tessera/expr/optimizer.hpp"
#include "tessera/graph/cull.hpp"
#include "tessera/table/table_value.hpp"

namespace tessera::python {

namespace {

/// Any task value as Python holds it between tasks (tessera._core.Partition).
struct PartitionHandle {
  graph::ValuePtr value;
};

nb::object WrapValue(graph::ValuePtr value) {
  if (const auto* python = dynamic_cast<const PythonValue*>(value.get())) return python->object();
  return nb::cast(PartitionHandle{std::move(value)});
}

const char* KindOf(const graph::Value& value) {
  if (dynamic_cast<const TableValue*>(&value)) return "table";
  if (dynamic_cast<const expr::TableListValue*>(&value)) return "tables";
  return "value";
}

expr::NodePtr NodeOf(nb::handle collection) {
  dataframe::DataFrame* frame = nullptr;
  dataframe::Series* series = nullptr;
  dataframe::Scalar* scalar = nullptr;
  if (nb::try_cast(collection, frame) && frame) return frame->node();
  if (nb::try_cast(collection, series) && series) return series->node();
  if (nb::try_cast(collection, scalar) && scalar) return scalar->node();
  throw TypeError("lower_tasks: expected tessera._core DataFrame, Series or Scalar objects, got " +
                  nb::cast<std::string>(nb::str(collection.type().attr("__name__"))));
}

// ---------------------------------------------------------------------------------------------
// lower_tasks

nb::object ArgToPython(const graph::Graph& graph, const graph::Arg& arg) {
  switch (arg.kind) {
    case graph::ArgKind::kKey:
    case graph::ArgKind::kTask:
    case graph::ArgKind::kExternal: {
      const graph::Key key = arg.kind == graph::ArgKind::kKey    ? arg.referenced_key()
                             : arg.kind == graph::ArgKind::kTask ? graph.key(arg.id)
                                                                 : graph.external_keys()[arg.id];
      return nb::make_tuple("key", std::string(key.Name()), key.index);
    }
    case graph::ArgKind::kValue: return WrapValue(graph.literals()[arg.id]);
    case graph::ArgKind::kInt64: return nb::int_(arg.payload);
    case graph::ArgKind::kDouble: return nb::float_(arg.double_value());
    case graph::ArgKind::kBool: return nb::bool_(arg.payload != 0);
    case graph::ArgKind::kNone: return nb::none();
  }
  return nb::none();
}

nb::tuple LowerTasks(nb::handle collections, bool persist) {
  std::vector<expr::NodePtr> roots;
  for (nb::handle collection : collections) roots.push_back(NodeOf(collection));
  const auto optimized = expr::Optimize(roots);
  // Nothing is held by a local store: keys of persisted collections stay references for the
  // caller to map to its futures.
  expr::LoweredGraph lowered = persist ? expr::LowerForPersist(optimized, nullptr) : expr::LowerForCompute(optimized, nullptr);
  std::vector<graph::Key> wanted;
  for (const auto& keys : lowered.outputs) {
    for (const auto& key : keys) wanted.push_back(key);
  }
  graph::Graph& full = lowered.graph;
  full.Finalize([](const graph::Key&) { return true; });
  std::vector<graph::Key> in_graph;
  for (const auto& key : wanted) {
    if (full.Find(key)) in_graph.push_back(key);
  }
  const graph::Graph graph = in_graph.empty() ? graph::Graph() : graph::Cull(full, in_graph);
  // One (operation, params) pair per function, shared by its tasks.
  std::vector<std::pair<nb::str, nb::bytes>> functions;
  for (const graph::TaskFunction& function : graph.functions()) {
    const graph::Operation* operation = function.operation;
    std::string params = function.params ? *function.params : std::string();
    if (function.closure) {
      operation = function.closure->operation();
      if (operation == nullptr) {
        throw NotImplemented("task function '" + std::string(function.closure->name()) +
                             "' runs only in this process; it cannot run on a cluster yet");
      }
      params = function.closure->SerializeParams();
    }
    functions.emplace_back(nb::str(operation->name.c_str()), nb::bytes(params.data(), params.size()));
  }
  nb::list tasks;
  for (graph::TaskId t = 0; t < graph.num_tasks(); ++t) {
    const graph::Key key = graph.key(t);
    const auto& [operation, shared_params] = functions[graph.function_index(t)];
    const std::string_view own = graph.own_params(t);
    nb::list args;
    for (const graph::Arg& arg : graph.args(t)) args.append(ArgToPython(graph, arg));
    tasks.append(nb::make_tuple(std::string(key.Name()), key.index, operation,
                                own.empty() ? nb::object(shared_params) : nb::bytes(own.data(), own.size()), args));
  }
  nb::list outputs;
  for (const auto& keys : lowered.outputs) {
    nb::list collection;
    for (const auto& key : keys) collection.append(nb::make_tuple(std::string(key.Name()), key.index));
    outputs.append(collection);
  }
  return nb::make_tuple(tasks, outputs);
}

// ---------------------------------------------------------------------------------------------
// run_operation

nb::object RunOperation(const std::string& operation_name, nb::bytes params, nb::handle inputs, nb::handle key) {
  const graph::Operation* operation = graph::FindOperation(operation_name);
  std::vector<graph::Arg> args;
  std::vector<graph::ValuePtr> values;
  for (nb::handle input : inputs) {
    PartitionHandle* partition = nullptr;
    if (input.is_none()) {
      args.push_back(graph::Arg::NoneArg());
      values.push_back(nullptr);
    } else if (nb::isinstance<nb::bool_>(input)) {
      args.push_back(graph::Arg::Bool(nb::cast<bool>(input)));
      values.push_back(nullptr);
    } else if (nb::isinstance<nb::int_>(input)) {
      args.push_back(graph::Arg::Int64(nb::cast<int64_t>(input)));
      values.push_back(nullptr);
    } else if (nb::isinstance<nb::float_>(input)) {
      args.push_back(graph::Arg::Double(nb::cast<double>(input)));
      values.push_back(nullptr);
    } else if (nb::try_cast(input, partition) && partition) {
      args.push_back({graph::ArgKind::kValue, 0, 0});
      values.push_back(partition->value);
    } else {
      args.push_back({graph::ArgKind::kValue, 0, 0});
      values.push_back(std::make_shared<PythonValue>(nb::borrow(input)));
    }
  }
  if (!nb::isinstance<nb::tuple>(key) || nb::len(key) != 2) {
    throw TypeError("run_operation: key must be the task's (name, index) tuple, as lower_tasks gives it");
  }
  const graph::Key task_key = graph::Key::Make(nb::cast<std::string>(key[0]), nb::cast<int64_t>(key[1]));
  const std::string params_bytes(params.c_str(), params.size());
  graph::ValuePtr result;
  {
    nb::gil_scoped_release release;
    result = operation->fn(graph::TaskInputs(task_key, args.data(), args.size(), values.data(), params_bytes));
  }
  return WrapValue(std::move(result));
}

// ---------------------------------------------------------------------------------------------
// Partition frames

constexpr std::string_view kHeaderMagic = "tessera-partition-1";
enum class PartitionKind : int64_t { kTable = 0, kTables = 1, kTagged = 2 };

// A read-only memoryview of buffer bytes [begin, begin + size), keeping the buffer alive.
nb::object Frame(const memory::BufferPtr& buffer, int64_t begin, int64_t size) {
  static const uint8_t empty = 0;
  const uint8_t* data = buffer && size > 0 ? buffer->data() + begin : &empty;
  nb::capsule owner(new memory::BufferPtr(buffer), [](void* p) noexcept { delete static_cast<memory::BufferPtr*>(p); });
  size_t shape[1] = {size_t(size)};
  nb::object array = nb::cast(nb::ndarray<nb::numpy, const uint8_t, nb::ndim<1>>(data, 1, shape, owner));
  return nb::steal(PyMemoryView_FromObject(array.ptr()));
}

nb::object BytesFrame(std::string bytes) {
  auto buffer = memory::Buffer::CopyOf(bytes.data(), int64_t(bytes.size()));
  return Frame(buffer, 0, int64_t(bytes.size()));
}

// Rows of a column start at a whole byte of its validity bitmap when sent: the frames begin
// `shift` = offset % 8 rows early and the receiver slices them off.
void PutColumn(const Column& column, std::string_view name, expr::NodeWriter& header, nb::list& frames) {
  const int64_t shift = column.offset() % 8;
  const int64_t start = column.offset() - shift;
  const int64_t rows = shift + column.length();
  header.String(name);
  header.Type(column.type());
  header.Int(rows);
  header.Int(shift);
  header.Int(column.null_count());
  header.Bool(column.validity_buffer() != nullptr);
  header.Bool(column.dictionary() != nullptr);
  if (column.validity_buffer()) frames.append(Frame(column.validity_buffer(), start / 8, (rows + 7) / 8));
  if (column.type().id() == TypeId::kString) {
    const int64_t* offsets = column.offsets_buffer()->data_as<int64_t>() + start;
    frames.append(Frame(column.values_buffer(), 0, offsets[rows]));  // string bytes up to the last row's end
    frames.append(Frame(column.offsets_buffer(), start * 8, (rows + 1) * 8));
  } else {
    const int width = column.type().ByteWidth();
    frames.append(Frame(column.values_buffer(), start * width, rows * width));
  }
  if (column.dictionary()) PutColumn(*column.dictionary(), "", header, frames);
}

void PutTable(const Table& table, expr::NodeWriter& header, nb::list& frames) {
  header.Bool(table.has_index());
  header.String(table.index_name());
  header.Int(table.num_columns());
  if (table.has_index()) PutColumn(*table.index(), table.index_name(), header, frames);
  for (int i = 0; i < table.num_columns(); ++i) PutColumn(*table.column(i), table.schema().field(i).name, header, frames);
}

nb::tuple Serialize(const PartitionHandle& partition) {
  std::string header_bytes;
  expr::NodeWriter header(&header_bytes);
  header.String(kHeaderMagic);
  nb::list frames;
  const graph::Value& value = *partition.value;
  if (const auto* table = dynamic_cast<const TableValue*>(&value)) {
    header.Int(int64_t(PartitionKind::kTable));
    PutTable(*table->table(), header, frames);
  } else if (const auto* list = dynamic_cast<const expr::TableListValue*>(&value)) {
    header.Int(int64_t(PartitionKind::kTables));
    header.Int(int64_t(list->tables().size()));
    for (const auto& piece : list->tables()) PutTable(*piece, header, frames);
  } else {
    if (value.type_name().empty()) {
      throw NotImplemented("a task result (" + value.ToString() + ") cannot be sent to another process");
    }
    header.Int(int64_t(PartitionKind::kTagged));
    std::string bytes;
    graph::SerializeTagged(value, &bytes);
    frames.append(BytesFrame(std::move(bytes)));
  }
  return nb::make_tuple(nb::bytes(header_bytes.data(), header_bytes.size()), frames);
}

// Borrows the memory of a buffer-protocol object (memoryview, bytes, bytearray) without
// copying, unless it is misaligned for `alignment`-byte values (then copied once). `expected`:
// the bytes the header says it holds, or -1 for all of it.
memory::BufferPtr BorrowFrame(nb::handle frame, int64_t expected, size_t alignment) {
  auto* view = new Py_buffer();
  if (PyObject_GetBuffer(frame.ptr(), view, PyBUF_SIMPLE) != 0) {
    delete view;
    throw nb::python_error();
  }
  std::shared_ptr<const void> owner(view, [](const void* p) {
    auto* held = static_cast<Py_buffer*>(const_cast<void*>(p));
    if (InterpreterAlive()) {
      nb::gil_scoped_acquire gil;
      PyBuffer_Release(held);
    }
    delete held;
  });
  if (expected < 0) expected = view->len;
  if (view->len < expected) {
    throw IOError("partition frame holds " + std::to_string(view->len) + " bytes, its header expects " +
                  std::to_string(expected));
  }
  const auto* data = static_cast<const uint8_t*>(view->buf);
  if (reinterpret_cast<uintptr_t>(data) % alignment != 0) return memory::Buffer::CopyOf(data, expected);
  return memory::Buffer::Wrap(data, expected, std::move(owner));
}

class FrameCursor {
 public:
  explicit FrameCursor(nb::handle frames) : frames_(nb::borrow<nb::sequence>(frames)), count_(nb::len(frames)) {}
  memory::BufferPtr Next(int64_t expected, size_t alignment) {
    if (next_ >= count_) throw IOError("partition header names more frames than were given");
    return BorrowFrame(frames_[next_++], expected, alignment);
  }
  bool done() const { return next_ == count_; }

 private:
  nb::sequence frames_;
  size_t count_;
  size_t next_ = 0;
};

ColumnPtr GetColumn(expr::NodeReader& header, FrameCursor& frames, std::string* name) {
  *name = header.String();
  const DataType type = header.Type();
  const int64_t rows = header.Int();
  const int64_t shift = header.Int();
  const int64_t null_count = header.Int();
  const bool has_validity = header.Bool();
  const bool has_dictionary = header.Bool();
  if (rows < 0 || shift < 0 || shift > rows) throw IOError("partition header has a corrupt column");
  memory::BufferPtr validity = has_validity ? frames.Next((rows + 7) / 8, 1) : nullptr;
  memory::BufferPtr values, offsets;
  if (type.id() == TypeId::kString) {
    values = frames.Next(-1, 1);
    offsets = frames.Next((rows + 1) * 8, 8);
    if (offsets->data_as<int64_t>()[rows] > values->size()) throw IOError("partition string frame is too short");
  } else {
    values = frames.Next(rows * type.ByteWidth(), size_t(type.ByteWidth()));
  }
  ColumnPtr dictionary;
  if (has_dictionary) {
    std::string ignored;
    dictionary = GetColumn(header, frames, &ignored);
  }
  // The null count covers the whole frame only when no rows are shifted off; else recount.
  ColumnPtr column = Column::Make(type, rows, values, validity, shift == 0 ? null_count : -1, offsets, dictionary);
  return shift == 0 ? column : column->Slice(shift, rows - shift);
}

TablePtr GetTable(expr::NodeReader& header, FrameCursor& frames) {
  const bool has_index = header.Bool();
  std::string index_name = header.String();
  const size_t count = header.Count("columns", 8);
  ColumnPtr index;
  if (has_index) index = GetColumn(header, frames, &index_name);
  std::vector<std::string> names(count);
  std::vector<ColumnPtr> columns(count);
  for (size_t i = 0; i < count; ++i) columns[i] = GetColumn(header, frames, &names[i]);
  return Table::Make(std::move(names), std::move(columns), std::move(index), std::move(index_name));
}

nb::object DeserializePartition(nb::bytes header_bytes, nb::handle frames) {
  expr::NodeReader header(std::string_view(header_bytes.c_str(), header_bytes.size()));
  if (header.String() != kHeaderMagic) throw IOError("not a tessera partition header (or another tessera version)");
  FrameCursor cursor(frames);
  graph::ValuePtr value;
  switch (PartitionKind(header.Int())) {
    case PartitionKind::kTable: value = std::make_shared<const TableValue>(GetTable(header, cursor)); break;
    case PartitionKind::kTables: {
      std::vector<TablePtr> tables;
      for (size_t n = header.Count("tables", 1); n > 0; --n) tables.push_back(GetTable(header, cursor));
      value = std::make_shared<const expr::TableListValue>(std::move(tables));
      break;
    }
    case PartitionKind::kTagged: {
      const memory::BufferPtr bytes = cursor.Next(-1, 1);
      value = graph::DeserializeTagged(std::string_view(reinterpret_cast<const char*>(bytes->data()), size_t(bytes->size())));
      break;
    }
    default: throw IOError("partition header has an unknown kind");
  }
  if (!header.done() || !cursor.done()) throw IOError("partition header and frames do not match");
  return nb::cast(PartitionHandle{std::move(value)});
}

nb::object ToPandas(const PartitionHandle& partition) {
  nb::object convert = nb::module_::import_("tessera._convert").attr("table_to_pandas");
  if (const auto* table = dynamic_cast<const TableValue*>(partition.value.get())) return convert(WrapTable(table->table()));
  if (const auto* list = dynamic_cast<const expr::TableListValue*>(partition.value.get())) {
    nb::list out;
    for (const auto& piece : list->tables()) out.append(convert(WrapTable(piece)));
    return out;
  }
  throw TypeError("to_pandas: this partition holds " + partition.value->ToString() + ", not a table");
}

// A collection over partitions held elsewhere (futures on a cluster), shaped like `like`.
nb::object FromPersisted(nb::handle like, nb::handle keys) {
  const expr::NodePtr node = NodeOf(like);
  std::vector<graph::Key> held;
  for (nb::handle key : keys) held.push_back(graph::Key::Make(nb::cast<std::string>(key[0]), nb::cast<int64_t>(key[1])));
  if (int64_t(held.size()) != node->npartitions()) {
    throw InvalidArgument("from_persisted: " + std::to_string(held.size()) + " keys for a collection of " +
                          std::to_string(node->npartitions()) + " partitions");
  }
  expr::NodePtr persisted = expr::FromPersistedNode::Make(std::move(held), nullptr, node->meta(), node->divisions(),
                                                          node->Describe());
  dataframe::Series* series = nullptr;
  if (nb::try_cast(like, series) && series) return nb::cast(dataframe::DataFrame(persisted)[node->meta()->schema().field(0).name]);
  return nb::cast(dataframe::DataFrame(std::move(persisted)));
}

// The "python" partition function kind: cloudpickle's bytes of the function PortablePython wrote.
std::function<TablePtr(const TablePtr&)> ReadPythonFunction(std::string_view bytes) {
  nb::gil_scoped_acquire gil;
  nb::object function = nb::module_::import_("cloudpickle").attr("loads")(nb::bytes(bytes.data(), bytes.size()));
  return PartitionFunction(std::move(function));
}

}  // namespace

void BindCluster(nb::module_& m) {
  // A worker process runs tasks of graphs it never lowered.
  expr::RegisterOperations();
  dataframe::RegisterSourceGenerators();
  expr::RegisterPartitionFunction("python", &ReadPythonFunction);
  nb::class_<PartitionHandle>(m, "Partition",
                              "A task result of a lowered graph: a table, the pieces of a split partition, or "
                              "another engine value.")
      .def_prop_ro("kind", [](const PartitionHandle& p) { return KindOf(*p.value); })
      .def_prop_ro("nbytes", [](const PartitionHandle& p) { return p.value->nbytes(); })
      .def("serialize", &Serialize,
           "(header: bytes, frames: list[memoryview]): one frame per column buffer, borrowing the engine's memory")
      .def("table", [](const PartitionHandle& p) { return WrapTable(TableOf(p.value)); })
      .def("to_pandas", &ToPandas)
      .def("__getstate__", [](const PartitionHandle& p) {
        // Pickle (not Dask's serialisation): frames copied to bytes.
        nb::tuple parts = Serialize(p);
        nb::list copies;
        nb::object to_bytes = nb::module_::import_("builtins").attr("bytes");
        for (nb::handle frame : nb::borrow<nb::list>(parts[1])) copies.append(to_bytes(frame));
        return nb::make_tuple(parts[0], copies);
      })
      .def("__setstate__", [](PartitionHandle& p, nb::tuple state) {
        nb::object copy = DeserializePartition(nb::cast<nb::bytes>(state[0]), state[1]);
        new (&p) PartitionHandle{nb::cast<const PartitionHandle&>(copy).value};
      })
      .def("__repr__", [](const PartitionHandle& p) { return "<tessera Partition " + p.value->ToString() + ">"; });
  m.def("deserialize_partition", &DeserializePartition, nb::arg("header"), nb::arg("frames"),
        "A Partition over `frames` (buffer-protocol objects, borrowed without copying).");
  m.def("lower_tasks", &LowerTasks, nb::arg("collections"), nb::arg("persist"),
        "(tasks, outputs) of DataFrame/Series/Scalar collections: tasks are (name, index, operation, params, args) "
        "with args ('key', name, index) or literal values; outputs are per collection the keys of its result.");
  m.def("run_operation", &RunOperation, nb::arg("operation"), nb::arg("params"), nb::arg("inputs"), nb::arg("key"),
        "Runs one task of lower_tasks (key: its (name, index)) with the GIL released; returns a Partition or a "
        "Python object.");
  m.def("from_persisted", &FromPersisted, nb::arg("like"), nb::arg("keys"),
        "A DataFrame or Series shaped like `like` over partitions held under `keys` (one (name, index) per "
        "partition); lower_tasks then refers to those keys.");
}

}  // namespace tessera::python
