// Graph <-> bytes. Layout: magic, version, name table, functions, literals, tasks. Integers are
// little-endian fixed width; strings are a u64 length and their bytes.
#include "tessera/graph/serialize.hpp"

#include <unordered_map>
#include <vector>

#include "tessera/base/error.hpp"

namespace tessera::graph {

namespace {

constexpr uint32_t kMagic = 0x52475354;  // "TSGR"
constexpr uint32_t kVersion = 1;

void WriteString(ByteSink& out, std::string_view text) {
  out.WriteRaw(uint64_t(text.size()));
  out.Write(text);
}

std::string ReadString(ByteReader& in, std::string_view what) {
  const uint64_t size = in.ReadRaw<uint64_t>();
  in.Require(int64_t(size), what);
  std::string text(size, '\0');
  in.Read(text.data(), size);
  return text;
}

// Interned name ids of one process, numbered densely for the bytes.
class NameTable {
 public:
  uint32_t Local(uint32_t name_id) {
    auto [it, added] = index_.emplace(name_id, uint32_t(ids_.size()));
    if (added) ids_.push_back(name_id);
    return it->second;
  }
  const std::vector<uint32_t>& ids() const { return ids_; }

 private:
  std::unordered_map<uint32_t, uint32_t> index_;
  std::vector<uint32_t> ids_;
};

}  // namespace

std::string SerializeGraph(const Graph& graph) {
  NameTable names;
  std::string body;
  StringSink out(&body);
  // Functions.
  out.WriteRaw(uint64_t(graph.functions().size()));
  for (const TaskFunction& function : graph.functions()) {
    const Operation* operation = function.operation;
    std::string params = function.params ? *function.params : std::string();
    if (function.closure) {
      operation = function.closure->operation();
      if (operation == nullptr) {
        throw NotImplemented("task function '" + std::string(function.closure->name()) +
                             "' is a closure only this process can run; the graph cannot be sent to another process");
      }
      params = function.closure->SerializeParams();
    }
    WriteString(out, operation->name);
    WriteString(out, params);
  }
  // Literals.
  out.WriteRaw(uint64_t(graph.literals().size()));
  std::string literal_bytes;
  for (const ValuePtr& literal : graph.literals()) {
    // Length-prefixed: a value's payload need not say where it ends.
    literal_bytes.clear();
    SerializeTagged(*literal, &literal_bytes);
    WriteString(out, literal_bytes);
  }
  // Tasks: references become keys again, so the order of tasks does not matter.
  out.WriteRaw(uint64_t(graph.num_tasks()));
  for (TaskId t = 0; t < graph.num_tasks(); ++t) {
    const Key key = graph.key(t);
    out.WriteRaw(names.Local(key.name));
    out.WriteRaw(key.index);
    out.WriteRaw(graph.function_index(t));
    const auto args = graph.args(t);
    out.WriteRaw(uint64_t(args.size()));
    for (Arg arg : args) {
      if (arg.kind == ArgKind::kTask) arg = Arg::Ref(graph.key(arg.id));
      if (arg.kind == ArgKind::kExternal) arg = Arg::Ref(graph.external_keys()[arg.id]);
      if (arg.kind == ArgKind::kKey) arg.id = names.Local(arg.id);
      out.WriteRaw(uint8_t(arg.kind));
      out.WriteRaw(arg.id);
      out.WriteRaw(arg.payload);
    }
    WriteString(out, graph.own_params(t));
  }
  std::string bytes;
  StringSink header(&bytes);
  header.WriteRaw(kMagic);
  header.WriteRaw(kVersion);
  header.WriteRaw(uint64_t(names.ids().size()));
  for (uint32_t id : names.ids()) WriteString(header, NameOf(id));
  bytes += body;
  return bytes;
}

Graph DeserializeGraph(std::string_view bytes) {
  StringReader in(bytes);
  if (in.remaining() < 8 || in.ReadRaw<uint32_t>() != kMagic) throw IOError("not a serialised tessera task graph");
  const uint32_t version = in.ReadRaw<uint32_t>();
  if (version != kVersion) {
    throw IOError("task graph format version " + std::to_string(version) + " is not supported (expected " +
                  std::to_string(kVersion) + "); run the same tessera version everywhere");
  }
  const uint64_t num_names = in.ReadRaw<uint64_t>();
  in.Require(int64_t(num_names * 8), "task graph names");
  std::vector<uint32_t> name_ids;
  for (uint64_t i = 0; i < num_names; ++i) name_ids.push_back(InternName(ReadString(in, "task graph name")));
  auto name_at = [&](uint32_t local) {
    if (local >= name_ids.size()) throw IOError("task graph refers to name " + std::to_string(local) + " it does not hold");
    return name_ids[local];
  };
  Graph graph;
  const uint64_t num_functions = in.ReadRaw<uint64_t>();
  in.Require(int64_t(num_functions * 16), "task graph functions");
  std::vector<uint32_t> functions;
  for (uint64_t i = 0; i < num_functions; ++i) {
    const Operation* operation = FindOperation(ReadString(in, "operation name"));
    functions.push_back(graph.AddOperation(operation, ReadString(in, "operation parameters")));
  }
  const uint64_t num_literals = in.ReadRaw<uint64_t>();
  std::vector<Arg> literals;
  for (uint64_t i = 0; i < num_literals; ++i) literals.push_back(graph.AddLiteral(DeserializeTagged(ReadString(in, "literal"))));
  const uint64_t num_tasks = in.ReadRaw<uint64_t>();
  std::vector<Arg> args;
  for (uint64_t t = 0; t < num_tasks; ++t) {
    const uint32_t name = name_at(in.ReadRaw<uint32_t>());
    const int64_t index = in.ReadRaw<int64_t>();
    const uint32_t function = in.ReadRaw<uint32_t>();
    if (function >= functions.size()) throw IOError("task graph task uses function " + std::to_string(function) + " it does not hold");
    const uint64_t num_args = in.ReadRaw<uint64_t>();
    in.Require(int64_t(num_args * 13), "task arguments");
    args.clear();
    for (uint64_t a = 0; a < num_args; ++a) {
      Arg arg;
      arg.kind = ArgKind(in.ReadRaw<uint8_t>());
      arg.id = in.ReadRaw<uint32_t>();
      arg.payload = in.ReadRaw<int64_t>();
      switch (arg.kind) {
        case ArgKind::kKey: arg.id = name_at(arg.id); break;
        case ArgKind::kValue:
          if (arg.id >= literals.size()) throw IOError("task graph argument refers to a missing literal");
          arg = literals[arg.id];
          break;
        case ArgKind::kInt64:
        case ArgKind::kDouble:
        case ArgKind::kBool:
        case ArgKind::kNone: break;
        default: throw IOError("task graph argument of unknown kind " + std::to_string(int(arg.kind)));
      }
      args.push_back(arg);
    }
    graph.AddTask(Key(name, index), functions[function], args, ReadString(in, "task parameters"));
  }
  if (in.remaining() != 0) throw IOError("task graph bytes continue past the last task");
  return graph;
}

}  // namespace tessera::graph
