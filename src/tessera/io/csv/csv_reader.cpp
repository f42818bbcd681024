#include "tessera/io/csv/csv_reader.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>

#include "tessera/base/error.hpp"
#include "tessera/base/parallel.hpp"
#include "tessera/base/timestamp_parse.hpp"
#include "tessera/io/csv/column_converter.hpp"
#include "tessera/io/csv/tokenizer.hpp"
#include "tessera/io/csv/type_inference.hpp"

namespace tessera::io {

using csv::FieldBatch;
using csv::TokenizeStatus;

namespace {

constexpr int64_t kBatchRows = 256;
// Fields per tokenized batch at most, so a very wide file (100,000 columns) tokenizes a few rows
// at a time instead of holding offsets for 256 rows of it.
constexpr int64_t kBatchFields = int64_t(1) << 16;
constexpr int64_t kWindowBytes = int64_t(4) << 20;
constexpr int64_t kMaxBlockSize = int64_t(1) << 30;

// A parse error found inside a block, formatted with its line number only when reported
// (counting lines is only worth it for the error that reaches the user).
struct BlockError : std::exception {
  int file = 0;
  int64_t offset = 0;      // start of the offending row in the file
  std::string column;      // may be empty
  std::string detail;
  const char* what() const noexcept override { return detail.c_str(); }
};

int64_t LineNumberAt(const ByteSource& source, int64_t offset) {
  int64_t line = 1;
  std::vector<uint8_t> chunk(size_t(1) << 20);
  for (int64_t position = 0; position < offset; position += int64_t(chunk.size())) {
    const int64_t length = std::min<int64_t>(int64_t(chunk.size()), offset - position);
    source.ReadAt(position, length, chunk.data());
    line += std::count(chunk.begin(), chunk.begin() + length, '\n');
  }
  return line;
}

[[noreturn]] void ThrowBlockError(const CsvPlan& plan, const BlockError& error) {
  const auto& source = *plan.files[size_t(error.file)].source;
  std::string message = "CSV parse error in " + source.path() + " line " +
                        std::to_string(LineNumberAt(source, error.offset));
  if (!error.column.empty()) message += " column '" + error.column + "'";
  throw ParseError(message + ": " + error.detail);
}

csv::TokenizerConfig MakeTokenizerConfig(const CsvReadOptions& options, int num_columns) {
  csv::TokenizerConfig config;
  config.sep = options.sep;
  config.quote = options.quotechar;
  config.comment = options.comment;
  config.skip_blank_lines = options.skip_blank_lines;
  config.num_columns = num_columns;
  return config;
}

// A window of file bytes [begin, begin + size) with the tokenizer's padding after the data.
// It can grow (a row longer than the window) and slide forward (drop parsed bytes, read more),
// so a block streams through a few MiB of memory however large it is. The storage may be
// reused across windows of one thread to avoid faulting in fresh pages for every block.
class Window {
 public:
  Window(const ByteSource& source, int64_t begin, int64_t end, std::vector<char>* storage = nullptr)
      : source_(source), begin_(begin), bytes_(storage ? *storage : owned_) {
    Extend(end);
  }
  /// Reads more so the window ends at `end` (or the file's end).
  void Extend(int64_t end) {
    end = std::max(std::min(end, source_.size()), begin_ + size_);
    if (int64_t(bytes_.size()) < end - begin_ + csv::kTokenizerPadding) {
      bytes_.resize(size_t(end - begin_ + csv::kTokenizerPadding));
    }
    if (end - begin_ == size_) return;
    source_.ReadAt(begin_ + size_, end - begin_ - size_, reinterpret_cast<uint8_t*>(bytes_.data()) + size_);
    size_ = end - begin_;
  }
  /// Drops the first `consumed` bytes and refills to the same span.
  void Slide(int64_t consumed) {
    const int64_t span = size_;
    std::memmove(bytes_.data(), bytes_.data() + consumed, size_t(size_ - consumed));
    begin_ += consumed;
    size_ -= consumed;
    Extend(begin_ + span);
  }
  char* data() { return bytes_.data(); }
  int64_t size() const { return size_; }
  int64_t begin() const { return begin_; }
  bool at_file_end() const { return begin_ + size_ >= source_.size(); }

 private:
  const ByteSource& source_;
  int64_t begin_;
  int64_t size_ = 0;
  std::vector<char> owned_;
  std::vector<char>& bytes_;
};

// Where the first row at or after `position` starts: after the next line break, unless
// `position` already starts a line.
int64_t BatchRows(size_t num_columns) {
  return std::clamp<int64_t>(kBatchFields / std::max<int64_t>(1, int64_t(num_columns)), 1, kBatchRows);
}

int64_t NextRowStart(const ByteSource& source, int64_t position) {
  if (position <= 0) return 0;
  std::vector<uint8_t> chunk(size_t(64) << 10);
  int64_t at = position - 1;
  while (at < source.size()) {
    const int64_t n = source.ReadAt(at, int64_t(chunk.size()), chunk.data());
    const void* newline = std::memchr(chunk.data(), '\n', size_t(n));
    if (newline != nullptr) return at + (static_cast<const uint8_t*>(newline) - chunk.data()) + 1;
    at += n;
  }
  return source.size();
}

std::string Lowercase(std::string text) {
  for (auto& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void ValidateOptions(const CsvReadOptions& options) {
  const std::string encoding = Lowercase(options.encoding);
  if (encoding != "utf-8" && encoding != "utf8" && encoding != "utf-8-sig" && encoding != "utf_8" &&
      encoding != "utf_8_sig") {
    throw InvalidArgument("encoding '" + options.encoding +
                          "' is not supported; tessera reads UTF-8 (with or without byte-order "
                          "mark); convert the file, e.g. with iconv -f " + options.encoding + " -t utf-8");
  }
  if (options.sep == options.quotechar) throw InvalidArgument("sep and quotechar must differ");
  if (options.sep == '\n' || options.sep == '\r') throw InvalidArgument("sep cannot be a line break");
  if (options.blocksize <= 0 || options.blocksize > kMaxBlockSize) {
    throw InvalidArgument("blocksize must be between 1 byte and 1 GiB, got " + std::to_string(options.blocksize));
  }
  if (options.header < -1) throw InvalidArgument("header must be a row number >= 0, or -1 for no header");
  if (options.skiprows < 0) throw InvalidArgument("skiprows must be >= 0");
  if (options.nrows && *options.nrows < 0) throw InvalidArgument("nrows must be >= 0");
  if (!options.date_format.empty()) ValidateTimestampFormat(options.date_format);
}

// Pandas-style names for an unnamed or repeated header cell: "Unnamed: 3", "x.1".
std::vector<std::string> MangleHeader(std::vector<std::string> names) {
  std::set<std::string> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) names[i] = "Unnamed: " + std::to_string(i);
    std::string candidate = names[i];
    for (int k = 1; seen.count(candidate); ++k) candidate = names[i] + "." + std::to_string(k);
    names[i] = candidate;
    seen.insert(candidate);
  }
  return names;
}

struct HeaderInfo {
  std::vector<std::string> names;  // empty when the file has no header row and no names given
  int num_fields = 0;              // fields in the header (or first data) row
  int64_t data_start = 0;
};

// Reads the byte-order mark, skipped lines and header row of one file.
HeaderInfo ReadHeader(const ByteSource& source, const CsvReadOptions& options) {
  int64_t window_size = std::min<int64_t>(source.size(), int64_t(1) << 20);
  while (true) {
    Window window(source, 0, window_size);
    char* data = window.data();
    int64_t position = 0;
    if (window.size() >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) position = 3;
    bool need_more = false;
    for (int64_t skipped = 0; skipped < options.skiprows; ++skipped) {
      const void* newline = std::memchr(data + position, '\n', size_t(window.size() - position));
      if (newline == nullptr) {
        need_more = !window.at_file_end();
        position = window.size();
        break;
      }
      position = static_cast<const char*>(newline) - data + 1;
    }
    if (!need_more) {
      FieldBatch batch;
      // Rows before the header row are discarded, as pandas does for header=N.
      const int64_t header_rows = options.header >= 0 ? options.header + 1 : 1;
      // Tokenized for a guessed width first; a wider row is tokenized again at its own width,
      // so any header that fits in memory is read.
      int width = 256;
      csv::TokenizeResult result;
      while (true) {
        csv::Tokenizer tokenizer(MakeTokenizerConfig(options, width));
        result = tokenizer.Tokenize(data, window.size(), position, window.size(), window.at_file_end(),
                                    header_rows, &batch);
        if (result.status != TokenizeStatus::kTooManyFields) break;
        width = result.fields_seen;
      }
      if (result.status == TokenizeStatus::kNeedMoreData) {
        need_more = true;
      } else if (result.status == TokenizeStatus::kUnterminatedQuote) {
        throw ParseError("CSV parse error in " + source.path() + ": the header row has a quoted "
                         "field that never closes");
      } else if (batch.num_rows < header_rows) {
        if (batch.num_rows == 0) {
          throw ParseError("no columns to parse from " + source.path() +
                           ": the file is empty; remove it from the input or give it a header row");
        }
        throw ParseError("header row " + std::to_string(options.header) + " is beyond the end of " +
                         source.path());
      } else {
        HeaderInfo info;
        const int64_t row = batch.num_rows - 1;
        info.num_fields = result.last_row_fields;
        if (options.header >= 0) {
          std::string scratch;
          for (int c = 0; c < info.num_fields; ++c) {
            std::string_view field(data + batch.start(row, c), batch.end(row, c) - batch.start(row, c));
            const std::string_view name = csv::Unquote(field, options.quotechar, &scratch);
            if (!csv::IsValidUtf8(name)) {
              throw ParseError("CSV parse error in " + source.path() + " line " +
                               std::to_string(options.skiprows + options.header + 1) + ": header column " +
                               std::to_string(c + 1) + " is not valid UTF-8; convert the file to UTF-8 "
                               "(e.g. iconv -f latin1 -t utf-8)");
            }
            info.names.emplace_back(name);
          }
          info.names = MangleHeader(std::move(info.names));
          info.data_start = result.next_offset;
        } else {
          info.data_start = batch.row_offsets[size_t(row)];
        }
        return info;
      }
    }
    if (window_size >= source.size()) {
      throw ParseError("CSV parse error in " + source.path() + ": could not read its header");
    }
    window_size = std::min<int64_t>(source.size(), window_size * 4);
  }
}

// What the rows of one sample window hold.
struct Sample {
  std::vector<csv::InferredKind> kinds;  // per selected column
  std::vector<double> field_bytes;       // per selected column
  int64_t rows = 0;
  double row_bytes = 0;
};

// Tokenizes `window` to its end, folding the rows into `sample`. With `strict`, returns false as
// soon as a row does not have exactly the header's width or the text does not tokenize. A row
// longer than the whole window grows the window, so a sample sees at least one complete row
// whenever the file has one after the window's start.
bool ReadSampleRows(const csv::Tokenizer& tokenizer, Window& window, bool strict, const CsvPlan& plan,
                    const csv::NaValues& na_values, Sample* sample) {
  const int num_columns = int(plan.file_columns.size());
  const int64_t batch_rows = BatchRows(plan.file_columns.size());
  FieldBatch batch;
  std::string scratch;
  int64_t position = 0;
  int64_t rows_seen = 0;
  while (true) {
    batch.Clear();
    auto result = tokenizer.Tokenize(window.data(), window.size(), position, window.size(),
                                     window.at_file_end(), batch_rows, &batch);
    if (strict) {
      if (result.status != TokenizeStatus::kOk && result.status != TokenizeStatus::kNeedMoreData) return false;
      for (int64_t row = 0; row < batch.num_rows; ++row) {
        if (int(batch.field_counts[size_t(row)]) != num_columns) return false;
      }
    }
    for (size_t k = 0; k < plan.selected.size(); ++k) {
      const int column = plan.selected[k];
      for (int64_t row = 0; row < batch.num_rows; ++row) {
        std::string_view field(window.data() + batch.start(row, column),
                               batch.end(row, column) - batch.start(row, column));
        sample->field_bytes[k] += double(field.size());
        if (!plan.declared[k]) sample->kinds[k].Add(csv::Unquote(field, plan.options.quotechar, &scratch), na_values);
      }
    }
    sample->rows += batch.num_rows;
    sample->row_bytes += double(result.next_offset - position);
    rows_seen += batch.num_rows;
    position = result.next_offset;
    if (result.status == TokenizeStatus::kNeedMoreData && rows_seen == 0 && !window.at_file_end()) {
      window.Extend(window.begin() + window.size() * 2);
      continue;
    }
    // Rows the first sample cannot tokenize are left for the real read to report.
    if (result.status != TokenizeStatus::kOk || batch.num_rows < batch_rows) return true;
  }
}

// Where the first `quote` at or after `from` is, looking at most `distance` bytes; -1 if none.
int64_t FindQuote(const ByteSource& source, int64_t from, int64_t distance, char quote) {
  std::vector<uint8_t> chunk(size_t(64) << 10);
  const int64_t until = std::min(source.size(), from + distance);
  for (int64_t at = from; at < until;) {
    const int64_t n = source.ReadAt(at, std::min<int64_t>(int64_t(chunk.size()), until - at), chunk.data());
    const void* found = std::memchr(chunk.data(), quote, size_t(n));
    if (found != nullptr) return at + (static_cast<const uint8_t*>(found) - chunk.data());
    at += n;
  }
  return -1;
}

// Whether rows read from a guessed start could as well be text inside a quoted field that began
// before it. The first quote after the start would then close that field, so it must be followed
// by a separator, a line break or the end (a doubled quote is text), and the rows after that
// row must again have the header's width. When both readings fit, or the bytes cannot tell, the
// guessed start is not trusted. The closing quote is looked for up to `distance` bytes ahead: a
// longer quoted field without quotes, whose lines all look like rows, is not detected.
bool CouldStartInsideQuotes(const csv::Tokenizer& tokenizer, const ByteSource& source, int64_t begin,
                            int64_t distance, const CsvPlan& plan) {
  const char quote = plan.options.quotechar;
  int64_t at = FindQuote(source, begin, distance, quote);
  if (at < 0) return false;
  Window window(source, at, at + plan.options.sample_bytes);
  char* data = window.data();
  const int64_t size = window.size();
  int64_t offset = 0;  // of the candidate closing quote in the window
  while (offset + 1 < size && data[offset + 1] == quote) {  // a doubled quote: text inside the field
    const void* found = offset + 2 < size ? std::memchr(data + offset + 2, quote, size_t(size - offset - 2)) : nullptr;
    if (found == nullptr) return !window.at_file_end();
    offset = static_cast<const char*>(found) - data;
  }
  const int64_t after = offset + 1;
  if (after >= size) return !window.at_file_end();
  const char next = data[after];
  if (next != plan.options.sep && next != '\n' && next != '\r') return false;
  // The rest of the closing quote's row is not checked; the rows after it must fit.
  const int num_columns = int(plan.file_columns.size());
  const int64_t batch_rows = BatchRows(plan.file_columns.size());
  FieldBatch batch;
  int64_t position = after;
  int64_t rows = 0;
  while (true) {
    batch.Clear();
    auto result = tokenizer.Tokenize(data, size, position, size, window.at_file_end(), batch_rows, &batch);
    if (result.status != TokenizeStatus::kOk && result.status != TokenizeStatus::kNeedMoreData) return false;
    for (int64_t row = rows == 0 ? 1 : 0; row < batch.num_rows; ++row) {
      if (int(batch.field_counts[size_t(row)]) != num_columns) return false;
    }
    rows += batch.num_rows;
    if (result.status != TokenizeStatus::kOk || batch.num_rows < batch_rows) break;
    position = result.next_offset;
  }
  return true;
}

// Whether folding `sample` into `kinds` turns a column that so far read as numbers or booleans
// into text: the sign of a misread window, worth a longer look before it is trusted.
bool WouldWidenToText(const std::vector<csv::InferredKind>& kinds, const std::vector<csv::InferredKind>& sample) {
  for (size_t k = 0; k < kinds.size(); ++k) {
    if (!kinds[k].seen_value || kinds[k].Resolve() == types::String()) continue;
    csv::InferredKind joined = kinds[k];
    joined.Join(sample[k]);
    if (joined.Resolve() == types::String()) return true;
  }
  return false;
}

// Folds samples of the file (its start, middle and end) into per-column kinds. The first sample
// starts at a known row; the others guess a row start from a line break, which a line break
// inside a quoted field can fool, so a guessed sample counts only if every row in it has the
// header's width, it tokenizes cleanly, and it could not as well start inside a quoted field.
void SampleFile(const ByteSource& source, int64_t data_start, const CsvPlan& plan,
                const csv::NaValues& na_values, std::vector<csv::InferredKind>* kinds,
                std::vector<double>* field_bytes, std::vector<int64_t>* field_counts,
                double* row_bytes, int64_t* row_count) {
  const int64_t data_size = source.size() - data_start;
  if (data_size <= 0) return;
  const int64_t sample_size = plan.options.sample_bytes;
  std::vector<int64_t> starts = {data_start};
  if (data_size > sample_size) {
    starts.push_back(data_start + data_size / 2 - sample_size / 2);
    starts.push_back(source.size() - sample_size);
  }
  csv::Tokenizer tokenizer(MakeTokenizerConfig(plan.options, int(plan.file_columns.size())));
  int64_t sampled_until = data_start;  // windows do not read the same rows twice
  for (size_t s = 0; s < starts.size(); ++s) {
    const bool guessed = s > 0;
    const int64_t begin = guessed ? std::max(sampled_until, NextRowStart(source, starts[s])) : starts[s];
    if (begin >= source.size()) continue;
    Window window(source, begin, begin + sample_size);
    Sample sample{std::vector<csv::InferredKind>(plan.selected.size()), std::vector<double>(plan.selected.size())};
    if (!ReadSampleRows(tokenizer, window, guessed, plan, na_values, &sample)) continue;
    if (guessed) {
      // The closing quote is looked for a window ahead, or far ahead (64 MiB) when the window
      // would turn a column read as numbers into text.
      const int64_t distance = WouldWidenToText(*kinds, sample.kinds) ? int64_t(64) << 20
                                                                     : window.size() + sample_size;
      if (CouldStartInsideQuotes(tokenizer, source, begin, distance, plan)) continue;
    }
    sampled_until = begin + int64_t(sample.row_bytes);
    *row_count += sample.rows;
    *row_bytes += sample.row_bytes;
    for (size_t k = 0; k < plan.selected.size(); ++k) {
      (*kinds)[k].Join(sample.kinds[k]);
      (*field_bytes)[k] += sample.field_bytes[k];
      (*field_counts)[k] += sample.rows;
    }
  }
}

}  // namespace

Schema CsvPlan::schema() const {
  std::vector<Field> fields;
  for (size_t k = 0; k < selected.size(); ++k) {
    fields.push_back({file_columns[size_t(selected[k])], types[k]});
  }
  return Schema(std::move(fields));
}

CsvPlan PlanCsv(const std::vector<std::string>& paths, const CsvReadOptions& options) {
  ValidateOptions(options);
  CsvPlan plan;
  plan.options = options;
  const auto files = ExpandPaths(paths, options.storage_options);
  std::vector<HeaderInfo> headers(files.size());
  plan.files.resize(files.size());
  // Opening (and, for compressed files, decompressing) runs in parallel.
  ParallelFor(files.size(), [&](size_t i) {
    plan.files[i].source = OpenInput(files[i], ParseCompression(options.compression, files[i]), options.storage_options);
    headers[i] = ReadHeader(*plan.files[i].source, options);
    plan.files[i].data_start = headers[i].data_start;
  }, options.num_threads);

  // Column names: from `names`, else the first file's header, else 0..n-1.
  const HeaderInfo& first = headers[0];
  if (!options.names.empty()) {
    if (int(options.names.size()) != first.num_fields) {
      throw InvalidArgument("names has " + std::to_string(options.names.size()) + " entries but " +
                            files[0] + " has " + std::to_string(first.num_fields) + " columns");
    }
    plan.file_columns = MangleHeader(options.names);
  } else if (options.header >= 0) {
    plan.file_columns = first.names;
  } else {
    for (int c = 0; c < first.num_fields; ++c) plan.file_columns.push_back(std::to_string(c));
  }
  for (size_t i = 1; i < files.size(); ++i) {
    const bool same = options.header >= 0 ? headers[i].names == first.names
                                          : headers[i].num_fields == first.num_fields;
    if (!same) {
      throw ParseError("the columns of " + files[i] + " differ from those of " + files[0] +
                       "; read files with different layouts separately and combine them after");
    }
  }

  // Selected columns and their declared types.
  const int num_columns = int(plan.file_columns.size());
  std::vector<bool> keep(size_t(num_columns), options.usecols.empty());
  for (const auto& name : options.usecols) {
    auto at = std::find(plan.file_columns.begin(), plan.file_columns.end(), name);
    if (at == plan.file_columns.end()) {
      throw KeyError("usecols names column '" + name + "', which is not in " + files[0]);
    }
    keep[size_t(at - plan.file_columns.begin())] = true;
  }
  for (const auto& name : options.parse_dates) {
    if (std::find(plan.file_columns.begin(), plan.file_columns.end(), name) == plan.file_columns.end()) {
      throw KeyError("parse_dates names column '" + name + "', which is not in " + files[0]);
    }
  }
  for (int c = 0; c < num_columns; ++c) {
    if (!keep[size_t(c)]) continue;
    const std::string& name = plan.file_columns[size_t(c)];
    plan.selected.push_back(c);
    auto declared = options.dtype.find(name);
    if (declared != options.dtype.end()) {
      plan.types.push_back(ParseDataType(declared->second));
      plan.declared.push_back(true);
    } else if (std::find(options.parse_dates.begin(), options.parse_dates.end(), name) !=
               options.parse_dates.end()) {
      plan.types.push_back(types::Timestamp(options.date_unit));
      plan.declared.push_back(true);
    } else {
      plan.types.push_back(types::String());
      plan.declared.push_back(false);
    }
  }

  // Infer types from samples of every file.
  const csv::NaValues na_values(options.keep_default_na, options.na_values);
  const size_t num_selected = plan.selected.size();
  std::vector<std::vector<csv::InferredKind>> kinds(files.size(), std::vector<csv::InferredKind>(num_selected));
  std::vector<std::vector<double>> bytes(files.size(), std::vector<double>(num_selected));
  std::vector<std::vector<int64_t>> counts(files.size(), std::vector<int64_t>(num_selected));
  std::vector<double> row_bytes(files.size());
  std::vector<int64_t> row_counts(files.size());
  ParallelFor(files.size(), [&](size_t i) {
    SampleFile(*plan.files[i].source, plan.files[i].data_start, plan, na_values, &kinds[i], &bytes[i],
               &counts[i], &row_bytes[i], &row_counts[i]);
  }, options.num_threads);
  double total_row_bytes = 0;
  int64_t total_rows = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    total_row_bytes += row_bytes[i];
    total_rows += row_counts[i];
  }
  plan.average_row_bytes = total_rows ? std::max(1.0, total_row_bytes / double(total_rows)) : 64.0;
  plan.average_field_bytes.assign(num_selected, 0.0);
  for (size_t k = 0; k < num_selected; ++k) {
    csv::InferredKind joined;
    double total_bytes = 0;
    int64_t total_count = 0;
    for (size_t i = 0; i < files.size(); ++i) {
      joined.Join(kinds[i][k]);
      total_bytes += bytes[i][k];
      total_count += counts[i][k];
    }
    if (!plan.declared[k]) plan.types[k] = joined.Resolve();
    plan.average_field_bytes[k] = total_count ? total_bytes / double(total_count) : 8.0;
  }

  // Split every file into blocks of about `blocksize` bytes.
  for (size_t i = 0; i < files.size(); ++i) {
    const int64_t begin = plan.files[i].data_start;
    const int64_t size = plan.files[i].source->size();
    if (size <= begin) continue;
    const int64_t count = (size - begin + options.blocksize - 1) / options.blocksize;
    const int64_t step = (size - begin + count - 1) / count;
    for (int64_t b = 0; b < count; ++b) {
      plan.blocks.push_back({int(i), begin + b * step, std::min(size, begin + (b + 1) * step)});
    }
  }
  return plan;
}

CsvBlockResult ReadCsvBlock(const CsvPlan& plan, size_t block_index, int64_t start,
                            const std::vector<DataType>* forced_types, int64_t max_rows) {
  const CsvBlock& block = plan.blocks[block_index];
  const CsvFile& file = plan.files[size_t(block.file)];
  const ByteSource& source = *file.source;
  CsvBlockResult result;
  if (start < 0) start = block.begin == file.data_start ? block.begin : NextRowStart(source, block.begin);
  result.first_row_offset = start;
  std::vector<DataType> column_types = forced_types ? *forced_types : plan.types;
  const size_t num_selected = plan.selected.size();
  std::vector<std::string> names;
  for (int c : plan.selected) names.push_back(plan.file_columns[size_t(c)]);
  try {
    if (start >= block.end) {
      result.end_offset = start;
      result.table = Table::MakeEmpty(Schema([&] {
        std::vector<Field> fields;
        for (size_t k = 0; k < num_selected; ++k) fields.push_back({names[k], column_types[k]});
        return fields;
      }()));
      return result;
    }
    const csv::NaValues na_values(plan.options.keep_default_na, plan.options.na_values);
    csv::Tokenizer tokenizer(MakeTokenizerConfig(plan.options, int(plan.file_columns.size())));
    thread_local std::vector<char> storage;
    // Sized from the samples' bytes per row; builders still grow if a block holds more rows.
    // A row takes at least one byte per separator and its line break, which bounds the slack for
    // small blocks (100,000 files of a few rows each).
    const int64_t batch_rows = BatchRows(plan.file_columns.size());
    const int64_t most_rows = (block.end - start) / std::max<int64_t>(1, int64_t(plan.file_columns.size()) - 1) + 1;
    const int64_t expected_rows = std::min<int64_t>(
        {max_rows, most_rows, int64_t(double(block.end - start) / plan.average_row_bytes * 1.03) + 4 * batch_rows});
    FieldBatch batch;
    // The block's bytes (and a little past its end, for its last row), fetched ahead of the
    // windows that parse them when the file is remote.
    if (start < block.end) source.WillNeed(start, block.end - start + (int64_t(64) << 10));
    // A value that does not fit an inferred type widens that column; the block then restarts.
    for (int attempt = 0;; ++attempt) {
      std::vector<std::unique_ptr<csv::ColumnConverter>> converters;
      for (size_t k = 0; k < num_selected; ++k) {
        csv::ConverterContext context;
        context.na_values = &na_values;
        context.quote = plan.options.quotechar;
        context.declared = plan.declared[k] || forced_types != nullptr;
        context.date_format = plan.options.date_format;
        // A column's text never holds more bytes than the block (bar its last row).
        const double expected_bytes =
            std::min(double(expected_rows) * plan.average_field_bytes[k] * 1.1, double(block.end - start));
        converters.push_back(
            csv::MakeColumnConverter(column_types[k], context, expected_rows, int64_t(expected_bytes) + 64));
      }
      Window window(source, start, std::min(block.end, start + kWindowBytes) + 1, &storage);
      int64_t position = 0;
      int64_t rows = 0;
      bool restart = false;
      while (rows < max_rows) {
        const int64_t limit = block.end - window.begin();
        batch.Clear();
        auto status = tokenizer.Tokenize(window.data(), window.size(), position, limit,
                                         window.at_file_end(), std::min(batch_rows, max_rows - rows), &batch);
        // The error reported is the first in file order: the earliest row, then the leftmost
        // column, whatever the order columns are converted in (and however blocks split rows).
        std::optional<BlockError> first_error;
        int64_t first_error_row = INT64_MAX;
        for (size_t k = 0; k < num_selected && !restart; ++k) {
          converters[k]->Reserve(batch.num_rows);
          auto failure = converters[k]->Append(window.data(), batch, plan.selected[k]);
          if (failure.row < 0) continue;
          const bool declared = plan.declared[k] || forced_types != nullptr;
          if (!declared && column_types[k] != types::String()) {
            column_types[k] = csv::WidenForValue(column_types[k], failure.value, na_values);
            restart = true;
            break;
          }
          if (failure.row >= first_error_row) continue;
          first_error_row = failure.row;
          BlockError error;
          error.file = block.file;
          error.offset = window.begin() + batch.row_offsets[size_t(failure.row)];
          error.column = names[k];
          if (column_types[k] == types::String() || column_types[k] == types::Categorical()) {
            error.detail = "the text is not valid UTF-8; tessera reads UTF-8 files, convert it first "
                           "(e.g. iconv -f latin1 -t utf-8)";
          } else if (na_values.Contains(failure.value)) {
            error.detail = "a missing value (\"" + failure.value + "\") in a column declared " +
                           column_types[k].ToString() + ", which cannot hold one; fill it in the file, or "
                           "read the column without dtype (or as 'string') and convert it after";
          } else {
            error.detail = "\"" + failure.value + "\" is not " + csv::DescribeExpectedValue(column_types[k]) +
                           "; pass dtype={'" + names[k] + "': 'string'} to read it as text";
            if (column_types[k].id() == TypeId::kTimestamp) {
              error.detail += ", or date_format='...' for a non-ISO layout";
            }
          }
          first_error = std::move(error);
        }
        if (first_error && !restart) throw *first_error;
        if (restart) break;
        rows += batch.num_rows;
        position = status.next_offset;
        if (status.status == TokenizeStatus::kTooManyFields || status.status == TokenizeStatus::kUnterminatedQuote) {
          BlockError error;
          error.file = block.file;
          error.offset = window.begin() + status.error_offset;
          error.detail = status.status == TokenizeStatus::kTooManyFields
                             ? "expected " + std::to_string(plan.file_columns.size()) + " fields, saw " +
                                   std::to_string(status.fields_seen) + "; check sep and quoting, or fix the row"
                             : "a quoted field starts here and never closes; close the quote or pass "
                               "a different quotechar";
          throw error;
        }
        if (position >= limit || (position >= window.size() && window.at_file_end())) break;
        if (status.status == TokenizeStatus::kNeedMoreData || position >= window.size()) {
          // The window ends inside a row (or exactly at a row's end): move on, or grow for a
          // row longer than the whole window.
          if (position == 0) {
            window.Extend(window.begin() + window.size() * 2);
          } else {
            window.Slide(position);
            position = 0;
          }
        }
      }
      if (restart) {
        if (attempt > 8) throw Internal("CSV type widening did not settle");
        continue;
      }
      std::vector<ColumnPtr> columns;
      for (auto& converter : converters) columns.push_back(converter->Finish());
      result.table = Table::Make(names, std::move(columns));
      result.end_offset = window.begin() + position;
      return result;
    }
  } catch (...) {
    result.error = std::current_exception();
    return result;
  }
}

namespace {

// Reads `indices` (parallel unless a row limit applies), re-reads blocks whose guessed start was
// wrong, and throws the first real error. Returns tables in block order.
std::vector<TablePtr> ReadBlocks(const CsvPlan& plan, const std::vector<DataType>* types) {
  const size_t count = plan.blocks.size();
  std::vector<CsvBlockResult> results(count);
  const bool limited = plan.options.nrows.has_value();
  if (!limited) {
    ParallelFor(count, [&](size_t b) { results[b] = ReadCsvBlock(plan, b, -1, types); },
                plan.options.num_threads);
  }
  std::vector<TablePtr> tables;
  int64_t rows = 0;
  int current_file = -1;
  int64_t expected_start = 0;
  for (size_t b = 0; b < count; ++b) {
    if (limited && rows >= *plan.options.nrows) break;
    const CsvBlock& block = plan.blocks[b];
    if (block.file != current_file) {
      current_file = block.file;
      expected_start = plan.files[size_t(block.file)].data_start;
    }
    const int64_t max_rows = limited ? *plan.options.nrows - rows : INT64_MAX;
    if (limited || results[b].first_row_offset != expected_start) {
      results[b] = ReadCsvBlock(plan, b, expected_start, types, max_rows);
    }
    RethrowCsvBlockError(plan, results[b]);
    expected_start = results[b].end_offset;
    rows += results[b].table->num_rows();
    tables.push_back(std::move(results[b].table));
  }
  return tables;
}

}  // namespace

void RethrowCsvBlockError(const CsvPlan& plan, const CsvBlockResult& result) {
  if (!result.error) return;
  try {
    std::rethrow_exception(result.error);
  } catch (const BlockError& error) {
    ThrowBlockError(plan, error);
  }
}

std::vector<TablePtr> ReadCsv(const std::vector<std::string>& paths, const CsvReadOptions& options) {
  const CsvPlan plan = PlanCsv(paths, options);
  auto tables = ReadBlocks(plan, nullptr);
  // Blocks that met values the samples missed may have widened a column; re-read the others
  // with the widest type so every partition has one schema.
  std::vector<DataType> unified = plan.types;
  for (const auto& table : tables) {
    for (size_t k = 0; k < unified.size(); ++k) {
      unified[k] = csv::WidenTypes(unified[k], table->schema().field(int(k)).type);
    }
  }
  bool consistent = true;
  for (const auto& table : tables) {
    for (size_t k = 0; k < unified.size(); ++k) consistent &= table->schema().field(int(k)).type == unified[k];
  }
  if (!consistent) tables = ReadBlocks(plan, &unified);
  if (tables.empty()) {
    std::vector<Field> fields;
    for (size_t k = 0; k < unified.size(); ++k) {
      fields.push_back({plan.file_columns[size_t(plan.selected[k])], unified[k]});
    }
    tables.push_back(Table::MakeEmpty(Schema(std::move(fields))));
  }
  return tables;
}

TablePtr ReadCsvTable(const std::vector<std::string>& paths, const CsvReadOptions& options) {
  return ConcatenateTables(ReadCsv(paths, options));
}

}  // namespace tessera::io
