// set_index (sampled boundaries, shuffle, sort), reset_index, clear_divisions, loc with labels
// and partial dates, and Series.resample.
#include <algorithm>
#include <cmath>

#include "tessera/base/civil_time.hpp"
#include "tessera/base/error.hpp"
#include "tessera/base/timestamp_parse.hpp"
#include "tessera/compute/aggregate.hpp"
#include "tessera/compute/cast.hpp"
#include "tessera/compute/compare.hpp"
#include "tessera/compute/datetime.hpp"
#include "tessera/compute/null_handling.hpp"
#include "tessera/compute/selection.hpp"
#include "tessera/compute/sort.hpp"
#include "tessera/dataframe/dataframe.hpp"
#include "tessera/dataframe/execution.hpp"
#include "tessera/dataframe/group_by.hpp"
#include "tessera/expr/group_by_node.hpp"
#include "tessera/expr/reduction.hpp"
#include "tessera/expr/rolling_node.hpp"
#include "tessera/expr/sort_node.hpp"
#include "tessera/table/column_builder.hpp"

namespace tessera::dataframe {

using expr::ColumnExpr;
using ScalarValue = compute::Scalar;

namespace {

// Whether a fixed-width column is sorted ascending without nulls (strings are not checked and
// count as unsorted, so they are always shuffled).
bool IsSortedColumn(const Column& column) {
  if (column.has_nulls() || !column.type().is_fixed_width() || column.type() == types::Categorical()) return false;
  return VisitFixedWidth(column.type(), [&](auto tag) {
    using T = decltype(tag);
    const T* values = column.values<T>();
    for (int64_t i = 1; i < column.length(); ++i) {
      if (values[i] < values[i - 1]) return false;  // NaN compares false: checked by has_nulls for floats below
    }
    if constexpr (std::is_floating_point_v<T>) {
      for (int64_t i = 0; i < column.length(); ++i) {
        if (std::isnan(values[i])) return false;
      }
    }
    return true;
  });
}

// Per partition, one row per sampled value: the key's min and max, then an evenly spaced sample
// of its non-null values ("value"); whether the key is sorted there ("sorted") and the
// partition's bytes ("nbytes") repeated on every row. A partition whose keys are all missing
// gives one null row, an empty partition none.
expr::MapPartitionsNode::Function Sampler(const std::string& column, int64_t samples) {
  return [column, samples](const TablePtr& table) {
    const ColumnPtr values = table->column(column);
    const ColumnPtr present = compute::Filter(*values, *compute::NotNull(*values));
    const int64_t n = present->length();
    std::vector<int64_t> rows;
    ColumnPtr extremes;  // min and max, found without sorting where a kernel can
    if (n > 0) {
      if (present->type() == types::Categorical()) {
        const ColumnPtr order = compute::SortIndices(*present);
        rows.push_back(order->values<int64_t>()[0]);
        rows.push_back(order->values<int64_t>()[n - 1]);
      } else {
        extremes = ConcatenateColumns({expr::BroadcastScalar(compute::Min(*present), 1),
                                       expr::BroadcastScalar(compute::Max(*present), 1)});
      }
      const int64_t k = std::min(n, samples);
      for (int64_t i = 0; i < k; ++i) rows.push_back(i * n / k);
    } else if (values->length() > 0) {
      rows.push_back(-1);  // keys all missing: one null row tells this from an empty partition
    }
    ColumnPtr sample = compute::Take(*present, rows);
    if (extremes != nullptr) sample = ConcatenateColumns({extremes, sample});
    FixedWidthBuilder<uint8_t> sorted(types::Bool(), sample->length());
    FixedWidthBuilder<int64_t> nbytes(types::Int64(), sample->length());
    const bool is_sorted = IsSortedColumn(*values);
    for (int64_t i = 0; i < sample->length(); ++i) {
      sorted.Append(is_sorted ? 1 : 0);
      nbytes.Append(table->nbytes());
    }
    return Table::Make({"value", "sorted", "nbytes"}, {sample, sorted.Finish(), nbytes.Finish()});
  };
}

}  // namespace

DataFrame DataFrame::set_index(const std::string& column, const SetIndexOptions& options,
                               sched::Scheduler& scheduler) const {
  meta()->column(column);
  using Method = expr::SortByBoundariesNode::Method;
  if (options.shuffle != "auto" && options.shuffle != "direct" && options.shuffle != "pieces") {
    throw InvalidArgument("set_index shuffle must be 'auto', 'direct' or 'pieces', got '" + options.shuffle + "'");
  }
  if (!options.divisions.empty()) {
    return DataFrame(expr::SortByBoundariesNode::Make(node_, column, options.divisions,
                                                      options.shuffle == "pieces" ? Method::kPieces : Method::kDirect));
  }
  const int64_t outputs = options.npartitions > 0 ? options.npartitions : npartitions();
  // The sampling pass: one small table per partition, computed now (as Dask does).
  std::vector<expr::NodePtr> samples;
  for (int64_t p = 0; p < npartitions(); ++p) {
    samples.push_back(expr::MapPartitionsNode::Make(expr::PartitionsNode::Make(node_, {p}),
                                                    Sampler(column, options.samples_per_partition), nullptr,
                                                    "set-index-sample", false));
  }
  const std::vector<TablePtr> sampled = execution::Compute(samples, scheduler);
  // Already sorted across partitions (or declared so): index each partition, no shuffle. Empty
  // partitions have no boundary to give and are dropped. Equal keys must not straddle two
  // partitions: partition i holds divisions[i] <= key < divisions[i + 1].
  bool sorted = true;
  expr::Divisions divisions;
  std::vector<int64_t> nonempty;
  for (size_t p = 0; p < sampled.size() && sorted; ++p) {
    const Table& sample = *sampled[p];
    if (sample.num_rows() == 0) continue;
    sorted &= sample.column("sorted")->values<uint8_t>()[0] != 0;
    if (!sorted) break;
    const ScalarValue low = expr::ScalarAt(*sample.column("value"), 0);
    if (!nonempty.empty()) {
      const ColumnPtr previous_high = sampled[size_t(nonempty.back())]->column("value")->Slice(1, 1);
      sorted &= compute::Less(*previous_high, low)->values<uint8_t>()[0] != 0;
    }
    nonempty.push_back(int64_t(p));
    divisions.push_back(low);
  }
  if (options.sorted && !sorted) {
    throw InvalidArgument("set_index(sorted=true): '" + column +
                          "' is not sorted across partitions; leave sorted=false to sort it");
  }
  if (sorted && !nonempty.empty()) {
    divisions.push_back(expr::ScalarAt(*sampled[size_t(nonempty.back())]->column("value"), 1));
    const expr::NodePtr input = nonempty.size() < sampled.size() ? expr::PartitionsNode::Make(node_, nonempty) : node_;
    return DataFrame(expr::IndexByColumn(input, column, divisions));
  }
  // Boundaries at quantiles of the pooled sample (nulls left out), from the smallest to the
  // largest value.
  const TablePtr pooled = ConcatenateTables(sampled);
  const ColumnPtr present = compute::Filter(*pooled->column("value"), *compute::NotNull(*pooled->column("value")));
  const ColumnPtr values = compute::Take(*present, *compute::SortIndices(*present));
  const int64_t m = values->length();
  if (m == 0) return DataFrame(expr::IndexByColumn(node_, column, {}));
  std::vector<ScalarValue> boundaries;
  for (int64_t i = 0; i < outputs; ++i) boundaries.push_back(expr::ScalarAt(*values, i * m / outputs));
  boundaries.push_back(expr::ScalarAt(*values, m - 1));
  // Gathering straight from the inputs holds all of them and the output at once; above half
  // the memory limit, rows move as spillable pieces instead.
  int64_t input_bytes = 0;
  for (const auto& sample : sampled) {
    if (sample->num_rows() > 0) input_bytes += sample->column("nbytes")->values<int64_t>()[0];
  }
  const int64_t limit = scheduler.stats().memory_limit;
  const bool pieces = options.shuffle == "pieces" || (options.shuffle == "auto" && limit > 0 && 2 * input_bytes > limit);
  return DataFrame(expr::SortByBoundariesNode::Make(node_, column, std::move(boundaries),
                                                    pieces ? Method::kPieces : Method::kDirect));
}

DataFrame DataFrame::reset_index() const {
  auto reset = [](const TablePtr& table) { return table->has_index() ? table->ResetIndex() : table; };
  return DataFrame(expr::MapPartitionsNode::Make(node_, reset, reset(meta()), "reset-index", false));
}

DataFrame DataFrame::clear_divisions() const {
  auto same = [](const TablePtr& table) { return table; };
  return DataFrame(expr::MapPartitionsNode::Make(node_, same, meta(), "clear-divisions", false));
}

namespace {

// [start, end) of the period a partial ISO date names: "2015" is the year, "2015-05" the month,
// "2015-05-05" the day, "2015-05-05 10" the hour, "2015-05-05 10:30" the minute; a full
// timestamp is one instant (end = start + 1 ns).
std::pair<int64_t, int64_t> PeriodOf(const std::string& text) {
  auto fail = [&]() -> std::pair<int64_t, int64_t> {
    throw KeyError("'" + text + "' is not a date label; use 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' or a full timestamp");
  };
  auto digits = [&](size_t from, size_t count) {
    int64_t value = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (i >= text.size() || text[i] < '0' || text[i] > '9') fail();
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const int64_t year = digits(0, 4);
  if (text.size() == 4) {
    return {civil::DaysFromCivil(year, 1, 1) * civil::kNanosPerDay, civil::DaysFromCivil(year + 1, 1, 1) * civil::kNanosPerDay};
  }
  if (text.size() == 7 && text[4] == '-') {
    const int64_t month = digits(5, 2);
    if (month < 1 || month > 12) fail();
    const int64_t next_year = month == 12 ? year + 1 : year;
    const unsigned next_month = month == 12 ? 1 : unsigned(month + 1);
    return {civil::DaysFromCivil(year, unsigned(month), 1) * civil::kNanosPerDay,
            civil::DaysFromCivil(next_year, next_month, 1) * civil::kNanosPerDay};
  }
  int64_t start = 0;
  if (text.size() == 10) {
    if (!ParseIsoTimestamp(text, &start)) fail();
    return {start, start + civil::kNanosPerDay};
  }
  if (text.size() == 13) {
    if (!ParseIsoTimestamp(text + ":00", &start)) fail();
    return {start, start + civil::kNanosPerHour};
  }
  if (text.size() == 16) {
    if (!ParseIsoTimestamp(text, &start)) fail();
    return {start, start + civil::kNanosPerMinute};
  }
  if (!ParseIsoTimestamp(text, &start)) fail();
  return {start, start + 1};
}

}  // namespace

DataFrame DataFrame::loc(const std::string& label) const {
  if (!meta()->has_index()) throw InvalidArgument("loc needs an index; call set_index first");
  if (meta()->index()->type().id() != TypeId::kTimestamp) return loc(Literal(label));
  const auto [start, end] = PeriodOf(label);
  const Series index = this->index();
  return (*this)[(index >= Literal(ScalarValue::Timestamp(start))) & (index < Literal(ScalarValue::Timestamp(end)))];
}

DataFrame DataFrame::loc(const Literal& label) const {
  if (!meta()->has_index()) throw InvalidArgument("loc needs an index; call set_index first");
  return (*this)[index() == label];
}

DataFrame DataFrame::loc(const std::vector<Literal>& labels) const {
  if (!meta()->has_index()) throw InvalidArgument("loc needs an index; call set_index first");
  if (labels.empty()) return (*this)[index().isnull() & ~index().isnull()];
  const DataFrame matching = (*this)[index().isin(labels)];
  // Rows in the order of the labels, as pandas returns them: gathered into one partition.
  std::vector<ScalarValue> wanted;
  for (const auto& label : labels) wanted.push_back(label.scalar());
  auto order = [wanted](const TablePtr& table) -> TablePtr {
    if (!table->has_index()) return table;
    std::vector<int64_t> rows;
    const Column& index = *table->index();
    for (const auto& label : wanted) {
      const ColumnPtr equal = compute::Equal(index, label);
      const uint8_t* flags = equal->values<uint8_t>();
      const int64_t before = int64_t(rows.size());
      for (int64_t i = 0; i < table->num_rows(); ++i) {
        if (flags[i]) rows.push_back(i);
      }
      if (int64_t(rows.size()) == before) {
        throw KeyError("loc: label " + label.ToString() + " is not in the index");
      }
    }
    return compute::Take(*table, rows);
  };
  const auto gathered = expr::HeadNode::Make(matching.node(), INT64_MAX, matching.npartitions());
  return DataFrame(expr::MapPartitionsNode::Make(gathered, order, meta(), "loc-labels", false));
}

DataFrame DataFrame::loc(const std::string& start, const std::string& stop) const {
  if (!meta()->has_index()) throw InvalidArgument("loc needs an index; call set_index first");
  const Series index = this->index();
  if (meta()->index()->type().id() == TypeId::kTimestamp) {
    const int64_t low = PeriodOf(start).first;
    const int64_t high = PeriodOf(stop).second;
    return (*this)[(index >= Literal(ScalarValue::Timestamp(low))) & (index < Literal(ScalarValue::Timestamp(high)))];
  }
  return (*this)[(index >= Literal(start)) & (index <= Literal(stop))];
}

// ---------------------------------------------------------------------------------------------
// resample

Resampler Series::resample(const std::string& rule) const { return Resampler(*this, rule); }

Resampler::Resampler(Series series, std::string rule)
    : Resampler(series.input(), {{series.name().empty() ? "0" : series.name(), series.expression()}}, std::move(rule)) {
  series_name_ = series.name();
}

Resampler::Resampler(expr::NodePtr input, std::vector<expr::NamedExpr> values, std::string rule)
    : input_(std::move(input)), values_(std::move(values)), rule_(std::move(rule)) {
  const Table& meta = *input_->meta();
  if (!meta.has_index() || meta.index()->type().id() != TypeId::kTimestamp) {
    throw TypeError("resample needs a timestamp index; call set_index on a datetime column first");
  }
  index_type_ = meta.index()->type();
  // Calendar rules label bins by a day (pandas' defaults); others are fixed frequencies.
  if (rule_ == "MS") calendar_ = Calendar::kMonthStart;
  else if (rule_ == "M" || rule_ == "ME") calendar_ = Calendar::kMonthEnd;
  else if (rule_ == "W" || rule_ == "W-SUN") calendar_ = Calendar::kWeek;
  else step_ = compute::FrequencyTicks(rule_, index_type_.unit());
}

namespace {

// The label of the bin after `label`.
int64_t NextBin(Resampler::Calendar calendar, int64_t step, int64_t ticks_per_day, int64_t label) {
  using Calendar = Resampler::Calendar;
  if (calendar == Calendar::kFixed) return label + step;
  if (calendar == Calendar::kWeek) return label + 7 * ticks_per_day;
  const civil::CivilDate date = civil::CivilFromDays(civil::FloorDiv(label, ticks_per_day));
  const int64_t year = date.month == 12 ? date.year + 1 : date.year;
  const unsigned month = date.month == 12 ? 1 : date.month + 1;
  const unsigned day = calendar == Calendar::kMonthStart ? 1 : civil::DaysInMonth(year, month);
  return civil::DaysFromCivil(year, month, day) * ticks_per_day;
}

}  // namespace

expr::NodePtr Resampler::Binned(const std::vector<std::string>& functions) const {
  const std::string index_name = input_->meta()->index_name();
  const std::string bin = "__bin";
  // Fixed rules group by the bin number (ticks // step): a small integer range groups
  // through a direct lookup, where floored timestamps would need hashing.
  const auto nanos = ColumnExpr::Call("astype", {ColumnExpr::Index()}, {{"int64"}, {}, {}});
  const auto floor = calendar_ == Calendar::kMonthStart ? ColumnExpr::Call("dt.month_start", {ColumnExpr::Index()})
                     : calendar_ == Calendar::kMonthEnd ? ColumnExpr::Call("dt.month_end", {ColumnExpr::Index()})
                     : calendar_ == Calendar::kWeek     ? ColumnExpr::Call("dt.week_end", {ColumnExpr::Index()})
                                                        : ColumnExpr::Call("floordiv", {nanos, ColumnExpr::Literal(compute::Scalar::Int64(step_))});
  std::vector<expr::NamedExpr> columns{{bin, floor}};
  columns.insert(columns.end(), values_.begin(), values_.end());
  const auto frame = expr::ProjectNode::Make(input_, std::move(columns));
  // One output column per (value, function): named after the value with one function, after
  // the function for one value, "<value>_<function>" otherwise.
  expr::GroupBySpec spec;
  spec.keys = {bin};
  std::vector<std::string> output_functions;
  for (const auto& value : values_) {
    for (const auto& function : functions) {
      const std::string name = functions.size() == 1 ? value.name
                               : values_.size() == 1 ? function
                                                     : value.name + "_" + function;
      spec.aggregations.emplace_back(function == "size" ? "" : value.name, compute::ParseAggregateFunction(function), name);
      output_functions.push_back(function);
    }
  }
  const auto grouped = expr::GroupByNode::Make(frame, spec);
  // Every bin from the first to the last, empty ones included, indexed as the input was.
  const int64_t step = step_;
  const Calendar calendar = calendar_;
  const DataType index_type = index_type_;
  auto complete = [step, calendar, index_type, output_functions, index_name](const TablePtr& table) -> TablePtr {
    const ColumnPtr bins = table->index();
    const int64_t ticks_per_day = 86400 * TicksPerSecond(index_type.unit());
    std::vector<int64_t> rows;
    FixedWidthBuilder<int64_t> all_bins(index_type, 0);
    if (table->num_rows() > 0) {
      const int64_t* starts = bins->values<int64_t>();
      const int64_t first = starts[0], last = starts[table->num_rows() - 1];
      int64_t row = 0;
      const bool numbered = calendar == Calendar::kFixed;  // bins hold bin numbers
      for (int64_t t = first; t <= last; t = numbered ? t + 1 : NextBin(calendar, step, ticks_per_day, t)) {
        all_bins.Append(numbered ? t * step : t);
        if (row < table->num_rows() && starts[row] == t) rows.push_back(row++);
        else rows.push_back(-1);
      }
    }
    std::vector<ColumnPtr> columns;
    for (int c = 0; c < table->num_columns(); ++c) {
      ColumnPtr column = compute::Take(*table->column(c), rows);
      const std::string& function = output_functions[size_t(c)];
      if (function == "sum" || function == "count" || function == "size") {
        column = compute::FillNull(*column, compute::Scalar::OfInt(types::Int64(), 0));
        if (column->type() != table->column(c)->type()) column = compute::Cast(*column, table->column(c)->type());
      }
      columns.push_back(column);
    }
    return Table::Make(table->column_names(), std::move(columns), all_bins.Finish(), index_name);
  };
  return expr::MapPartitionsNode::Make(grouped, complete, nullptr, "resample-" + rule_, false);
}

Series Resampler::Aggregate(const std::string& function) const {
  if (values_.size() != 1) throw InvalidArgument("a Series result needs one column; use frame() for several");
  return Series(Binned({function}), ColumnExpr::Column(values_[0].name), series_name_);
}

DataFrame Resampler::agg(const std::vector<std::string>& functions) const {
  if (functions.empty()) throw InvalidArgument("resample agg needs at least one function");
  return DataFrame(Binned(functions));
}

DataFrame Resampler::frame(const std::string& function) const { return DataFrame(Binned({function})); }

Resampler DataFrame::resample(const std::string& rule) const {
  std::vector<expr::NamedExpr> numeric;
  for (const auto& field : dtypes().fields()) {
    if (field.type.is_numeric() || field.type == types::Bool()) numeric.push_back({field.name, ColumnExpr::Column(field.name)});
  }
  if (numeric.empty()) throw TypeError("resample needs at least one numeric column");
  return Resampler(node_, std::move(numeric), rule);
}

// ---------------------------------------------------------------------------------------------
// rolling

Rolling Series::rolling(int64_t window, std::optional<int64_t> min_periods) const {
  if (window < 1) throw InvalidArgument("rolling window must be at least 1 row, got " + std::to_string(window));
  return Rolling(*this, {window, 0, min_periods.value_or(window), 1});
}

Rolling Series::rolling(const std::string& span, int64_t min_periods) const {
  const Table& meta = *input()->meta();
  if (!meta.has_index() || meta.index()->type().id() != TypeId::kTimestamp) {
    throw TypeError("a rolling time window needs a timestamp index; call set_index on a datetime column first");
  }
  return Rolling(*this, {0, compute::ParseFrequency(span), min_periods, 1});
}

Rolling::Rolling(Series series, compute::RollingWindow window) : series_(std::move(series)), window_(window) {}

Series Rolling::Apply(compute::RollingFunction function, int ddof) const {
  compute::RollingWindow window = window_;
  window.ddof = ddof;
  const std::string name = series_.name().empty() ? "0" : series_.name();
  const auto node = expr::RollingNode::Make(series_.rename(name).node(), window, function);
  return Series(node, ColumnExpr::Column(name), series_.name());
}

Series Rolling::var(int ddof) const { return Apply(compute::RollingFunction::kVar, ddof); }
Series Rolling::std(int ddof) const { return Apply(compute::RollingFunction::kStd, ddof); }

Series Rolling::aggregate(const std::string& function, int ddof) const {
  using compute::RollingFunction;
  static const std::pair<const char*, RollingFunction> kFunctions[] = {
      {"mean", RollingFunction::kMean}, {"sum", RollingFunction::kSum}, {"count", RollingFunction::kCount},
      {"min", RollingFunction::kMin},   {"max", RollingFunction::kMax}, {"var", RollingFunction::kVar},
      {"std", RollingFunction::kStd}};
  for (const auto& [name, kind] : kFunctions) {
    if (function == name) return Apply(kind, ddof);
  }
  throw InvalidArgument("unknown rolling function '" + function + "'; use one of mean, sum, count, min, max, var, std");
}

}  // namespace tessera::dataframe
