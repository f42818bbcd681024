// The lazy partitioned collections of the public C++ API, named and behaving as Dask's and
// pandas' (dtypes, NaN handling, labels, order): DataFrame, Series and Scalar. Each wraps an
// expression node (tessera/expr); operations build new nodes and nothing runs until compute()
// (optimize -> lower -> schedule -> one Table or value) or persist() (the partitions stay in
// the scheduler's store and a new collection reads them).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tessera/compute/rolling.hpp"
#include "tessera/compute/scalar.hpp"
#include "tessera/expr/column_expr.hpp"
#include "tessera/expr/node.hpp"
#include "tessera/io/csv/csv_options.hpp"
#include "tessera/sched/local_scheduler.hpp"
#include "tessera/table/table.hpp"

namespace tessera::dataframe {

class DataFrame;
class Series;
class GroupBy;
class SeriesGroupBy;
class DatetimeAccessor;
class StringAccessor;

/// A constant operand: numbers, bools, text, or any compute::Scalar (timestamps, nulls).
class Literal {
 public:
  Literal(int value) : value_(compute::Scalar::Int64(value)) {}                  // NOLINT
  Literal(int64_t value) : value_(compute::Scalar::Int64(value)) {}              // NOLINT
  Literal(double value) : value_(compute::Scalar::Float64(value)) {}             // NOLINT
  Literal(bool value) : value_(compute::Scalar::Bool(value)) {}                  // NOLINT
  Literal(const char* value) : value_(compute::Scalar::String(value)) {}         // NOLINT
  Literal(std::string value) : value_(compute::Scalar::String(std::move(value))) {}  // NOLINT
  Literal(compute::Scalar value) : value_(std::move(value)) {}                  // NOLINT
  const compute::Scalar& scalar() const { return value_; }

 private:
  compute::Scalar value_;
};

/// Options of DataFrame::set_index.
struct SetIndexOptions {
  /// The data is already sorted by the column: no shuffle; divisions from each partition's
  /// first and last value (InvalidArgument when partitions overlap or are unsorted).
  bool sorted = false;
  /// Known boundaries (npartitions + 1, sorted): no sampling pass.
  expr::Divisions divisions;
  /// Output partitions (0 = as many as the input).
  int64_t npartitions = 0;
  /// Values sampled per partition to place the boundaries.
  int64_t samples_per_partition = 1000;
  /// How rows move: "direct" (each row copied once; inputs and output in memory together),
  /// "pieces" (every partition cut into spillable pieces, for data larger than memory), or
  /// "auto" (pieces when the input is over half the scheduler's memory limit).
  std::string shuffle = "auto";
};

class Resampler;
class Rolling;

/// Options of merge, named as pandas.merge's.
struct MergeOptions {
  /// "inner", "left", "right" or "outer".
  std::string how = "inner";
  /// Key columns with the same name on both sides (or left_on / right_on; none of them and no
  /// index flag: the columns both frames share).
  std::vector<std::string> on, left_on, right_on;
  bool left_index = false, right_index = false;
  std::pair<std::string, std::string> suffixes{"_x", "_y"};
  /// Sort the rows of each output partition by the keys.
  bool sort = false;
  /// Output partitions of a shuffle join (0 = the larger side's).
  int64_t npartitions = 0;
};

/// A lazy single value (the result of a reduction).
class Scalar {
 public:
  explicit Scalar(expr::NodePtr node) : node_(std::move(node)) {}
  const expr::NodePtr& node() const { return node_; }
  DataType dtype() const;
  compute::Scalar compute(sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  /// compute() as a double (NaN for null); TypeError for text.
  double compute_double(sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  std::string explain() const;
  std::string ToString() const;

 private:
  expr::NodePtr node_;
};

/// Options of tree reductions.
struct ReduceOptions {
  int64_t split_every = 8;
};

/// A lazy column: an expression over the partitions of a frame (`input`), with a name.
class Series {
 public:
  Series(expr::NodePtr input, expr::ColumnExprPtr expression, std::string name);

  const std::string& name() const { return name_; }
  DataType dtype() const;
  int64_t npartitions() const { return input_->npartitions(); }
  const expr::Divisions& divisions() const { return input_->divisions(); }
  bool known_divisions() const { return input_->known_divisions(); }
  /// The frame this Series is computed over and its expression.
  const expr::NodePtr& input() const { return input_; }
  const expr::ColumnExprPtr& expression() const { return expression_; }
  /// The Series as a plan node (a one-column partitioned table with the frame's index).
  expr::NodePtr node() const;

  Series rename(std::string name) const { return Series(input_, expression_, std::move(name)); }
  Series astype(const std::string& dtype) const;
  Series isnull() const;
  Series isna() const { return isnull(); }
  Series notnull() const;
  Series notna() const { return notnull(); }
  Series fillna(const Literal& value) const;
  /// This Series where `condition` holds, `other` elsewhere (pandas' where).
  Series where(const Series& condition, const Literal& other) const;
  Series where(const Series& condition, const Series& other) const;
  Series where(const Series& condition) const;  // other = NaN / null
  /// The opposite of where.
  Series mask(const Series& condition, const Literal& other) const;
  Series mask(const Series& condition) const;
  Series between(const Literal& low, const Literal& high, const std::string& inclusive = "both") const;
  Series isin(const std::vector<Literal>& values) const;
  Series clip(std::optional<Literal> lower, std::optional<Literal> upper) const;
  Series abs() const;
  Series round(int decimals = 0) const;
  DatetimeAccessor dt() const;
  StringAccessor str() const;

  /// Rows where `mask` is true.
  Series operator[](const Series& mask) const;

  Scalar sum(ReduceOptions options = {}) const;
  Scalar mean(ReduceOptions options = {}) const;
  Scalar count(ReduceOptions options = {}) const;
  Scalar min(ReduceOptions options = {}) const;
  Scalar max(ReduceOptions options = {}) const;
  Scalar var(int ddof = 1, ReduceOptions options = {}) const;
  Scalar std(int ddof = 1, ReduceOptions options = {}) const;
  Scalar nunique(bool dropna = true, ReduceOptions options = {}) const;
  Scalar any(ReduceOptions options = {}) const;
  Scalar all(ReduceOptions options = {}) const;
  Scalar idxmin(ReduceOptions options = {}) const;
  Scalar idxmax(ReduceOptions options = {}) const;
  /// Approximate for large data: merges per-partition quantile sketches of 512 points (exact
  /// when every partition has at most 512 values).
  Scalar quantile(double q = 0.5, ReduceOptions options = {}) const;
  /// Number of rows.
  Scalar size() const;
  /// pandas' Series.describe() for a numeric Series: count, mean, std, min, 25%, 50%, 75%, max.
  Series describe() const;

  /// Distinct values with their counts, most frequent first (ties in order of first
  /// appearance); the result is indexed by the values and named "count" ("proportion" with
  /// normalize).
  Series value_counts(bool sort = true, bool ascending = false, bool normalize = false, bool dropna = true,
                      int64_t split_out = 1) const;
  /// Distinct values in order of first appearance (nulls included once), as a Series.
  Series unique(int64_t split_out = 1) const;
  Series drop_duplicates(int64_t split_out = 1) const { return unique(split_out); }
  /// The n largest / smallest values (ties keep the earlier row), with their index.
  Series nlargest(int64_t n = 5) const;
  Series nsmallest(int64_t n = 5) const;
  /// This Series and one Series per scalar holding its value on every row, all over one frame,
  /// so row-wise expressions can use values computed lazily (s - s.mean()).
  std::pair<Series, std::vector<Series>> with_scalars(const std::vector<Scalar>& scalars) const;

  SeriesGroupBy groupby(const Series& key) const;
  /// Time bins of a Series with a timestamp index (pandas' resample): `rule` is a fixed
  /// frequency ("1h", "15min", "D", ...) or a calendar rule ("W", "MS", "ME").
  Resampler resample(const std::string& rule) const;
  /// Moving windows of `window` rows (pandas: min_periods defaults to the window) ...
  Rolling rolling(int64_t window, std::optional<int64_t> min_periods = std::nullopt) const;
  /// ... or of a time span such as "24h" over a timestamp index (min_periods 1).
  Rolling rolling(const std::string& span, int64_t min_periods = 1) const;

  DataFrame to_frame() const;
  Series head(int64_t n = 5, sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  /// The whole Series: a Table with the index and one column named after the Series.
  TablePtr compute(sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  Series persist(sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  std::string explain() const;
  std::string ToString() const;

 private:
  friend class DataFrame;
  expr::NodePtr input_;
  expr::ColumnExprPtr expression_;
  std::string name_;
};

Series operator+(const Series& a, const Series& b);
Series operator+(const Series& a, const Literal& b);
Series operator+(const Literal& a, const Series& b);
Series operator-(const Series& a, const Series& b);
Series operator-(const Series& a, const Literal& b);
Series operator-(const Literal& a, const Series& b);
Series operator*(const Series& a, const Series& b);
Series operator*(const Series& a, const Literal& b);
Series operator*(const Literal& a, const Series& b);
Series operator/(const Series& a, const Series& b);
Series operator/(const Series& a, const Literal& b);
Series operator/(const Literal& a, const Series& b);
Series operator%(const Series& a, const Series& b);
Series operator%(const Series& a, const Literal& b);
Series operator%(const Literal& a, const Series& b);
/// a // b (Python's floor division).
Series floordiv(const Series& a, const Series& b);
Series floordiv(const Series& a, const Literal& b);
Series pow(const Series& a, const Series& b);
Series pow(const Series& a, const Literal& b);
Series operator==(const Series& a, const Series& b);
Series operator==(const Series& a, const Literal& b);
Series operator!=(const Series& a, const Series& b);
Series operator!=(const Series& a, const Literal& b);
Series operator<(const Series& a, const Series& b);
Series operator<(const Series& a, const Literal& b);
Series operator<=(const Series& a, const Series& b);
Series operator<=(const Series& a, const Literal& b);
Series operator>(const Series& a, const Series& b);
Series operator>(const Series& a, const Literal& b);
Series operator>=(const Series& a, const Series& b);
Series operator>=(const Series& a, const Literal& b);
Series operator&(const Series& a, const Series& b);
Series operator&(const Series& a, const Literal& b);
Series operator|(const Series& a, const Series& b);
Series operator|(const Series& a, const Literal& b);
Series operator^(const Series& a, const Series& b);
Series operator^(const Series& a, const Literal& b);
/// A Series with a lazily computed value on every row (s - s.mean()); the value is computed in
/// the same graph.
Series operator+(const Series& a, const Scalar& b);
Series operator+(const Scalar& a, const Series& b);
Series operator-(const Series& a, const Scalar& b);
Series operator-(const Scalar& a, const Series& b);
Series operator*(const Series& a, const Scalar& b);
Series operator*(const Scalar& a, const Series& b);
Series operator/(const Series& a, const Scalar& b);
Series operator/(const Scalar& a, const Series& b);
Series operator<(const Series& a, const Scalar& b);
Series operator<=(const Series& a, const Scalar& b);
Series operator>(const Series& a, const Scalar& b);
Series operator>=(const Series& a, const Scalar& b);
Series operator~(const Series& a);
Series operator-(const Series& a);

/// Series.dt: calendar fields and rounding of timestamp Series.
class DatetimeAccessor {
 public:
  explicit DatetimeAccessor(Series series) : series_(std::move(series)) {}
  Series year() const;
  Series month() const;
  Series day() const;
  Series hour() const;
  Series minute() const;
  Series second() const;
  Series dayofweek() const;
  Series dayofyear() const;
  Series date() const;
  Series normalize() const;
  Series floor(const std::string& freq) const;
  Series ceil(const std::string& freq) const;
  Series round(const std::string& freq) const;

 private:
  Series Call(const char* function, expr::CallParams params = {}) const;
  Series series_;
};

/// Series.str: text functions of string Series.
class StringAccessor {
 public:
  explicit StringAccessor(Series series) : series_(std::move(series)) {}
  Series len() const;
  Series lower() const;
  Series upper() const;
  Series strip() const;
  Series lstrip() const;
  Series rstrip() const;
  Series contains(const std::string& pattern, bool regex = true) const;
  Series startswith(const std::string& prefix) const;
  Series endswith(const std::string& suffix) const;
  Series slice(std::optional<int64_t> start, std::optional<int64_t> stop = std::nullopt) const;
  Series replace(const std::string& old, const std::string& replacement) const;

 private:
  Series Call(const char* function, expr::CallParams params = {}) const;
  Series series_;
};

/// A lazy partitioned table.
class DataFrame {
 public:
  explicit DataFrame(expr::NodePtr node) : node_(std::move(node)) {}

  const expr::NodePtr& node() const { return node_; }
  std::vector<std::string> columns() const { return node_->meta()->column_names(); }
  /// Column names and dtypes (pandas' df.dtypes).
  const Schema& dtypes() const { return node_->meta()->schema(); }
  /// An empty table with the columns, dtypes and index of the result (Dask's _meta).
  const TablePtr& meta() const { return node_->meta(); }
  int64_t npartitions() const { return node_->npartitions(); }
  const expr::Divisions& divisions() const { return node_->divisions(); }
  bool known_divisions() const { return node_->known_divisions(); }

  /// The index as a Series (InvalidArgument at compute() when the frame has none).
  Series index() const;
  /// One column (KeyError naming the columns when absent).
  Series operator[](const std::string& column) const;
  Series operator[](const char* column) const { return (*this)[std::string(column)]; }
  /// Several columns, in the order given.
  DataFrame operator[](const std::vector<std::string>& columns) const;
  /// Rows where `mask` is true.
  DataFrame operator[](const Series& mask) const;

  /// New or replaced columns (replacing keeps a column's position).
  DataFrame assign(const std::string& name, const Series& value) const;
  DataFrame assign(const std::string& name, const Literal& value) const;
  DataFrame assign(const std::vector<std::pair<std::string, Series>>& values) const;
  DataFrame drop(const std::vector<std::string>& columns) const;
  DataFrame rename(const std::map<std::string, std::string>& columns) const;
  DataFrame astype(const std::map<std::string, std::string>& dtypes) const;
  DataFrame astype(const std::string& dtype) const;
  DataFrame isnull() const;
  DataFrame notnull() const;
  DataFrame fillna(const Literal& value) const;
  DataFrame fillna(const std::map<std::string, Literal>& values) const;
  /// Rows without missing values: how = "any" or "all", over `subset` (empty = every column).
  DataFrame dropna(const std::string& how = "any", const std::vector<std::string>& subset = {}) const;
  DataFrame where(const Series& condition, const Literal& other) const;
  DataFrame mask(const Series& condition, const Literal& other) const;
  DataFrame clip(std::optional<Literal> lower, std::optional<Literal> upper) const;
  DataFrame abs() const;
  DataFrame round(int decimals = 0) const;

  /// Per-column reductions: a Series indexed by column name.
  Series sum(ReduceOptions options = {}) const;
  Series mean(ReduceOptions options = {}) const;
  Series count(ReduceOptions options = {}) const;
  Series min(ReduceOptions options = {}) const;
  Series max(ReduceOptions options = {}) const;
  Series var(int ddof = 1, ReduceOptions options = {}) const;
  Series std(int ddof = 1, ReduceOptions options = {}) const;
  Series nunique(bool dropna = true, ReduceOptions options = {}) const;
  Series any(ReduceOptions options = {}) const;
  Series all(ReduceOptions options = {}) const;
  Series idxmin(ReduceOptions options = {}) const;
  Series idxmax(ReduceOptions options = {}) const;
  /// count, mean, std, min, 25%, 50%, 75%, max of every numeric column (quantiles approximate,
  /// see Series::quantile).
  DataFrame describe() const;
  /// Distinct rows (first occurrences, in order of appearance; the index is not kept).
  DataFrame drop_duplicates(const std::vector<std::string>& subset = {}, int64_t split_out = 1) const;
  /// The n rows with the largest / smallest values of `column`.
  DataFrame nlargest(int64_t n, const std::string& column) const;
  DataFrame nsmallest(int64_t n, const std::string& column) const;

  GroupBy groupby(const std::vector<std::string>& keys) const;
  GroupBy groupby(const std::string& key) const;
  GroupBy groupby(const Series& key) const;

  /// Sorted by `column` into partitions with known divisions, `column` becoming the index (Dask's
  /// set_index): boundaries from quantiles of a sampling pass (run now), every partition split
  /// by them, the pieces of each output partition concatenated and sorted. Data already sorted
  /// across partitions is not shuffled.
  DataFrame set_index(const std::string& column, const SetIndexOptions& options = {},
                      sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  /// The index back into the first column.
  DataFrame reset_index() const;
  /// The same frame with unknown divisions.
  DataFrame clear_divisions() const;
  /// Rows whose index equals `label`; on a timestamp index a partial date ("2015", "2015-05",
  /// "2015-05-05", "2015-05-05 10") selects the whole period. Only partitions whose divisions
  /// can hold the label are read.
  DataFrame loc(const std::string& label) const;
  DataFrame loc(const char* label) const { return loc(std::string(label)); }
  DataFrame loc(const Literal& label) const;
  /// Time bins of the numeric columns over a timestamp index: resample(rule).frame("mean").
  Resampler resample(const std::string& rule) const;
  /// Rows for each label in turn (pandas' loc[[a, b]]); KeyError at compute() naming a label
  /// that is not in the index.
  DataFrame loc(const std::vector<Literal>& labels) const;
  /// Rows with start <= index <= stop (pandas' label slices include both ends; partial dates
  /// cover their whole period).
  DataFrame loc(const std::string& start, const std::string& stop) const;

  /// Fewer partitions (neighbours concatenated, divisions kept) or more (partitions split into
  /// equal row ranges; divisions become unknown).
  DataFrame repartition(int64_t npartitions) const;
  /// Partitions of about `bytes` each: measures partition sizes now, then merges small
  /// neighbours and splits large partitions.
  DataFrame repartition_by_size(int64_t bytes, sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  /// New index boundaries (the frame must have known divisions; rows are moved, not re-sorted).
  DataFrame repartition(const expr::Divisions& divisions) const;
  /// Rows sorted by `by` (stable; nulls last), ascending or not per column, across partitions:
  /// boundaries of the first column from a sampling pass (run now), then a shuffle and a sort
  /// per output partition. The index is kept; divisions become unknown.
  DataFrame sort_values(const std::vector<std::string>& by, const std::vector<bool>& ascending = {},
                        sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  /// pandas.merge: a broadcast join when one side is a single partition, an aligned join when
  /// both sides join on indexes with the same known divisions, a hash shuffle join otherwise.
  /// Row order within the result follows compute::Join per output partition.
  DataFrame merge(const DataFrame& right, const MergeOptions& options = {}) const;
  /// Join on both indexes (pandas' DataFrame.join), suffixes for shared column names.
  DataFrame join(const DataFrame& right, const std::string& how = "left", const std::string& lsuffix = "",
                 const std::string& rsuffix = "") const;
  /// Writes one CSV file per partition: `pattern` with '*' replaced by the partition number
  /// (a path without '*' gets one file with every row). Runs now; returns the paths written.
  std::vector<std::string> to_csv(const std::string& pattern, const io::CsvWriteOptions& options = {},
                                  sched::Scheduler& scheduler = sched::DefaultScheduler()) const;

  /// `function` on every partition; `meta` declares its output (an empty table; null = run the
  /// function on an empty partition to find out). Each result must match meta. `portable`
  /// says how the function leaves the process (without it the frame runs only in this one).
  DataFrame map_partitions(std::function<TablePtr(const TablePtr&)> function, TablePtr meta = nullptr,
                           std::string name = "", expr::PortableFunction portable = {}) const;

  /// The first n rows, computing only the partitions they need.
  TablePtr head(int64_t n = 5, sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  /// The last n rows, computing only the partitions they need.
  TablePtr tail(int64_t n = 5, sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  /// Number of rows (computes).
  int64_t len(sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  /// Number of rows as a lazy Scalar.
  Scalar size() const;
  /// Only the partitions listed (in that order).
  DataFrame partitions(const std::vector<int64_t>& indices) const;

  TablePtr compute(sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  DataFrame persist(sched::Scheduler& scheduler = sched::DefaultScheduler()) const;
  /// The optimized plan and the number of tasks it lowers to.
  std::string explain() const;
  /// The structure as Dask prints a lazy frame: columns, dtypes, npartitions, divisions, no data.
  std::string ToString() const;

 private:
  expr::NodePtr node_;
};

/// Series.resample(rule): one value per time bin, bins without rows included (NaN for mean,
/// min, max, first, last, var, std; 0 for sum, count, size), as pandas does. The result is one
/// partition indexed by the bins' start, in the time unit of the input's index.
class Resampler {
 public:
  /// Fixed rules ("1h", "15min", "D"), or calendar rules labelled by a day as pandas does:
  /// "MS" (month start), "ME" / "M" (month end), "W" (weeks Monday to Sunday, labelled Sunday).
  enum class Calendar { kFixed, kMonthStart, kMonthEnd, kWeek };
  Resampler(Series series, std::string rule);
  /// Several value columns of one frame (DataFrame.resample: its numeric columns).
  Resampler(expr::NodePtr input, std::vector<expr::NamedExpr> values, std::string rule);
  Series mean() const { return Aggregate("mean"); }
  Series sum() const { return Aggregate("sum"); }
  Series count() const { return Aggregate("count"); }
  Series size() const { return Aggregate("size"); }
  Series min() const { return Aggregate("min"); }
  Series max() const { return Aggregate("max"); }
  Series first() const { return Aggregate("first"); }
  Series last() const { return Aggregate("last"); }
  Series var() const { return Aggregate("var"); }
  Series std() const { return Aggregate("std"); }
  /// The aggregation named `function` (as the methods above).
  Series aggregate(const std::string& function) const { return Aggregate(function); }
  /// Several functions: one column per function (per value and function for a frame).
  DataFrame agg(const std::vector<std::string>& functions) const;
  /// One function over every value column, as a frame (DataFrame.resample(rule).mean()).
  DataFrame frame(const std::string& function) const;

 private:
  Series Aggregate(const std::string& function) const;
  expr::NodePtr Binned(const std::vector<std::string>& functions) const;
  expr::NodePtr input_;
  std::vector<expr::NamedExpr> values_;
  std::string series_name_;
  std::string rule_;
  Calendar calendar_ = Calendar::kFixed;
  int64_t step_ = 0;  // ticks of the index's unit per fixed bin
  DataType index_type_;
};

/// Series.rolling(window): one value per row over the window ending at it, correct across
/// partition boundaries (rows are brought over from earlier partitions).
class Rolling {
 public:
  Rolling(Series series, compute::RollingWindow window);
  Series mean() const { return Apply(compute::RollingFunction::kMean); }
  Series sum() const { return Apply(compute::RollingFunction::kSum); }
  Series count() const { return Apply(compute::RollingFunction::kCount); }
  Series min() const { return Apply(compute::RollingFunction::kMin); }
  Series max() const { return Apply(compute::RollingFunction::kMax); }
  Series var(int ddof = 1) const;
  Series std(int ddof = 1) const;
  /// The window function named `function` ("mean", "sum", "count", "min", "max", "var",
  /// "std"); InvalidArgument naming them otherwise.
  Series aggregate(const std::string& function, int ddof = 1) const;

 private:
  Series Apply(compute::RollingFunction function, int ddof = 1) const;
  Series series_;
  compute::RollingWindow window_;
};

/// Frames stacked along rows, partitions kept (pandas' concat, axis 0). The frames must have the
/// same columns and dtypes.
DataFrame concat(const std::vector<DataFrame>& frames);

/// function(i, {partition i of every frame}) for every partition i (Dask's partition-wise
/// combine of aligned collections); frames marked in `broadcast` have one partition, given to
/// every call. See expr::ZipPartitionsNode.
DataFrame zip_partitions(const std::vector<DataFrame>& frames, std::vector<bool> broadcast,
                         std::function<TablePtr(int64_t, const std::vector<TablePtr>&)> function, TablePtr meta,
                         std::string name, bool keep_divisions);

/// Several results computed in one graph, so work they share runs once.
std::vector<TablePtr> compute_all(const std::vector<expr::NodePtr>& nodes,
                              sched::Scheduler& scheduler = sched::DefaultScheduler());

}  // namespace tessera::dataframe
