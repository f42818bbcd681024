// Row alignment of Series: two Series combine row by row when they are computed over the same
// frame, or over frames that differ only by projections (assign, select, rename) of one another.
// Their expressions are then rewritten over the common frame. Series over frames with
// different rows (a filtered frame and the unfiltered one) cannot combine; that is an error
// naming both, not a silent misalignment.
#pragma once

#include <vector>

#include "tessera/dataframe/dataframe.hpp"

namespace tessera::dataframe {

struct AlignedSeries {
  expr::NodePtr input;
  std::vector<expr::ColumnExprPtr> expressions;  // one per Series, over `input`
};

/// The Series rewritten over one common frame (InvalidArgument when there is none).
AlignedSeries AlignAll(const std::vector<Series>& series);

struct AlignedPair {
  expr::NodePtr input;
  expr::ColumnExprPtr left;
  expr::ColumnExprPtr right;
};
AlignedPair Align(const Series& a, const Series& b);

/// `expression` over `from`'s output rewritten over `target`, when `from` is `target` under a
/// chain of projections; null otherwise.
expr::ColumnExprPtr RebaseOnto(const expr::ColumnExprPtr& expression, expr::NodePtr from, const expr::NodePtr& target);

}  // namespace tessera::dataframe
