// Column expressions: row-wise computations over the columns of one partition, as Polars'
// expressions or the blockwise part of a Dask graph. A DataFrame's `df.tip / df.fare > 0.2` is
// a tree of ColumnExprs over the columns of `df`; evaluating it on a partition runs one kernel
// per node (dispatch per column, never per row). Expressions are immutable and shared, and know
// the input columns they read (for projection pushdown) and a stable hash (for common
// sub-expression elimination and task names).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/compute/scalar.hpp"
#include "tessera/table/table.hpp"

namespace tessera::expr {

class ColumnExpr;
using ColumnExprPtr = std::shared_ptr<const ColumnExpr>;

/// Parameters of a function call that are not columns (frequency text, dtype name, decimals).
struct CallParams {
  std::vector<std::string> strings;
  std::vector<int64_t> ints;
  std::vector<compute::Scalar> scalars;
};

class ColumnExpr {
 public:
  enum class Kind : uint8_t { kColumn, kIndex, kLiteral, kCall };

  /// The input column `name`.
  static ColumnExprPtr Column(std::string name);
  /// The input's index.
  static ColumnExprPtr Index();
  /// A constant, broadcast against the columns it meets.
  static ColumnExprPtr Literal(compute::Scalar value);
  /// `function` (see RegisteredFunctions()) applied to `args`. Throws InvalidArgument for an
  /// unknown function.
  static ColumnExprPtr Call(std::string function, std::vector<ColumnExprPtr> args, CallParams params = {});

  Kind kind() const { return kind_; }
  /// Column name (kColumn) or function name (kCall).
  const std::string& name() const { return name_; }
  const compute::Scalar& literal() const { return literal_; }
  const std::vector<ColumnExprPtr>& args() const { return args_; }
  const CallParams& params() const { return params_; }

  /// Runs the expression on `table`; a literal alone becomes a column of table.num_rows() rows.
  ColumnPtr Evaluate(const Table& table) const;
  /// Adds the input columns the expression reads to `columns`.
  void CollectColumns(std::set<std::string>* columns) const;
  bool ReadsIndex() const;
  /// Stable across runs: equal expressions hash alike.
  uint64_t hash() const { return hash_; }
  /// Readable text: "(tip_amount / fare_amount)", "dt.hour(pickup)".
  std::string ToString() const;

  /// Names accepted by Call.
  static std::vector<std::string> RegisteredFunctions();

 private:
  ColumnExpr() = default;

  Kind kind_ = Kind::kColumn;
  std::string name_;
  compute::Scalar literal_ = compute::Scalar::Null(types::Float64());
  std::vector<ColumnExprPtr> args_;
  CallParams params_;
  uint64_t hash_ = 0;
};

/// Hash of text, for expression and node tokens.
uint64_t HashText(std::string_view text, uint64_t seed = 0);

/// A named output column of a projection.
struct NamedExpr {
  std::string name;
  ColumnExprPtr expr;
};

}  // namespace tessera::expr
