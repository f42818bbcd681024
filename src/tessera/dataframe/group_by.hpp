// df.groupby(...): lazy group-by aggregations (tree reductions of partial aggregates, or a
// shuffle for nunique and apply), named and shaped as pandas returns them: one key becomes the
// index; several keys stay columns (until tessera has a MultiIndex).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tessera/dataframe/dataframe.hpp"

namespace tessera::dataframe {

struct GroupByOptions {
  bool sort = true;
  bool dropna = true;
  /// Output partitions: partial aggregates are hash-split by key so each output partition
  /// combines only its groups.
  int64_t split_out = 1;
  int64_t split_every = 8;
};

/// A named aggregation: output column = function(column).
struct NamedAgg {
  std::string output;
  std::string column;
  std::string function;
};

class SeriesGroupBy {
 public:
  SeriesGroupBy(expr::NodePtr input, std::vector<std::string> keys, std::string column, std::string index_name,
                GroupByOptions options);
  Series sum() const { return Aggregate("sum"); }
  Series mean() const { return Aggregate("mean"); }
  Series count() const { return Aggregate("count"); }
  Series size() const { return Aggregate("size"); }
  Series min() const { return Aggregate("min"); }
  Series max() const { return Aggregate("max"); }
  Series var(int ddof = 1) const { return Aggregate("var", ddof); }
  Series std(int ddof = 1) const { return Aggregate("std", ddof); }
  Series first() const { return Aggregate("first"); }
  Series last() const { return Aggregate("last"); }
  Series nunique() const { return Aggregate("nunique"); }
  /// The aggregation named `function` ("sum", "mean", ... as the methods above; ddof for var
  /// and std); InvalidArgument naming the known ones otherwise.
  Series aggregate(const std::string& function, int ddof = 1) const { return Aggregate(function, ddof); }
  /// Several functions: one column per function, named after it.
  DataFrame agg(const std::vector<std::string>& functions) const;

 private:
  Series Aggregate(const std::string& function, int ddof = 1) const;
  expr::NodePtr input_;
  std::vector<std::string> keys_;
  std::string column_;
  std::string index_name_;
  GroupByOptions options_;
};

class GroupBy {
 public:
  /// `index_name` renames the single key in the result (a grouping Series named differently
  /// from the temporary key column); empty = keep.
  GroupBy(expr::NodePtr input, std::vector<std::string> keys, GroupByOptions options = {},
          std::string index_name = "");
  GroupBy with_options(GroupByOptions options) const { return GroupBy(input_, keys_, options, index_name_); }

  SeriesGroupBy operator[](const std::string& column) const;
  /// A frame of the listed columns, grouped the same way.
  GroupBy operator[](const std::vector<std::string>& columns) const;

  DataFrame sum() const { return Aggregate("sum"); }
  DataFrame mean() const { return Aggregate("mean"); }
  DataFrame count() const { return Aggregate("count"); }
  DataFrame min() const { return Aggregate("min"); }
  DataFrame max() const { return Aggregate("max"); }
  DataFrame var(int ddof = 1) const { return Aggregate("var", ddof); }
  DataFrame std(int ddof = 1) const { return Aggregate("std", ddof); }
  DataFrame first() const { return Aggregate("first"); }
  DataFrame last() const { return Aggregate("last"); }
  DataFrame nunique() const { return Aggregate("nunique"); }
  /// The aggregation named `function` (as the methods above; ddof for var and std).
  DataFrame aggregate(const std::string& function, int ddof = 1) const { return Aggregate(function, ddof); }
  /// Rows per group, as a Series named "size".
  Series size() const;
  /// {column: [functions]}: columns named "<column>_<function>" when a column has several
  /// functions (pandas would make a MultiIndex), else "<column>".
  DataFrame agg(const std::map<std::string, std::vector<std::string>>& functions) const;
  /// Named aggregations: output = function(column).
  DataFrame agg(const std::vector<NamedAgg>& aggregations) const;
  /// `function` on every whole group (a table of that group's rows, index kept), after a
  /// shuffle by key; results are concatenated. `meta` declares the output (null = run on an
  /// empty group). `portable` says how `function` leaves the process (see map_partitions).
  DataFrame apply(std::function<TablePtr(const TablePtr&)> function, TablePtr meta = nullptr,
                  expr::PortableFunction portable = {}) const;

 private:
  DataFrame Aggregate(const std::string& function, int ddof = 1) const;
  DataFrame Finish(expr::NodePtr node) const;
  expr::NodePtr input_;
  std::vector<std::string> keys_;
  std::vector<std::string> columns_;  // aggregated columns (empty = all but the keys)
  GroupByOptions options_;
  std::string index_name_;
};

}  // namespace tessera::dataframe
