// Rewriting Series expressions over a common frame.
#include "tessera/dataframe/rebase.hpp"

#include <algorithm>
#include <optional>

#include "tessera/base/error.hpp"
#include "tessera/expr/broadcast_node.hpp"

namespace tessera::dataframe {

using expr::ColumnExpr;
using expr::ColumnExprPtr;


namespace {

ColumnExprPtr RebaseThroughProjections(const ColumnExprPtr& expression, expr::NodePtr from, const expr::NodePtr& target) {
  ColumnExprPtr rewritten = expression;
  while (from->token() != target->token()) {
    if (from->kind() != expr::NodeKind::kProject) return nullptr;
    rewritten = static_cast<const expr::ProjectNode&>(*from).Inline(rewritten);
    from = from->input();
  }
  return rewritten;
}

// The node under any broadcasts of scalars on top of it.
expr::NodePtr BelowBroadcasts(expr::NodePtr node) {
  while (node->kind() == expr::NodeKind::kBroadcastScalars) node = node->input();
  return node;
}

// Series over broadcasts of scalars on one frame (df.x - df.x.mean() and df.y / df.y.sum()):
// every scalar broadcast once over that frame, so all expressions hold over it.
std::optional<AlignedSeries> AlignBroadcasts(const std::vector<Series>& series) {
  const expr::NodePtr base = BelowBroadcasts(series.front().input());
  std::vector<expr::NodePtr> scalars;
  std::vector<std::string> names;
  for (const auto& s : series) {
    if (BelowBroadcasts(s.input())->token() != base->token()) return std::nullopt;
    for (expr::NodePtr node = s.input(); node->kind() == expr::NodeKind::kBroadcastScalars; node = node->input()) {
      const auto& broadcast = static_cast<const expr::BroadcastScalarsNode&>(*node);
      for (size_t k = 0; k < broadcast.names().size(); ++k) {
        if (std::find(names.begin(), names.end(), broadcast.names()[k]) != names.end()) continue;
        names.push_back(broadcast.names()[k]);
        scalars.push_back(node->inputs()[k + 1]);
      }
    }
  }
  if (names.empty()) return std::nullopt;
  AlignedSeries aligned{expr::BroadcastScalarsNode::Make(base, std::move(scalars), std::move(names)), {}};
  for (const auto& s : series) aligned.expressions.push_back(s.expression());
  return aligned;
}

// `target` rebuilt to carry `extra` (expressions over `base`) as additional columns, when
// `target` is `base` under projections and filters; null otherwise. Filters keep the rows whose
// values the extra columns then hold, so they align as pandas aligns by index.
expr::NodePtr CarryColumns(const expr::NodePtr& target, const expr::NodePtr& base, const std::vector<expr::NamedExpr>& extra) {
  if (target->token() == base->token()) {
    std::vector<expr::NamedExpr> columns;
    for (const auto& name : base->meta()->column_names()) columns.push_back({name, ColumnExpr::Column(name)});
    columns.insert(columns.end(), extra.begin(), extra.end());
    return expr::ProjectNode::Make(base, std::move(columns));
  }
  if (target->kind() != expr::NodeKind::kProject && target->kind() != expr::NodeKind::kFilter) return nullptr;
  expr::NodePtr inner = CarryColumns(target->input(), base, extra);
  if (inner == nullptr) return nullptr;
  if (target->kind() == expr::NodeKind::kFilter) {
    return expr::FilterNode::Make(inner, static_cast<const expr::FilterNode&>(*target).predicate());
  }
  std::vector<expr::NamedExpr> columns = static_cast<const expr::ProjectNode&>(*target).columns();
  for (const auto& column : extra) columns.push_back({column.name, ColumnExpr::Column(column.name)});
  return expr::ProjectNode::Make(inner, std::move(columns));
}

}  // namespace

ColumnExprPtr RebaseOnto(const ColumnExprPtr& expression, expr::NodePtr from, const expr::NodePtr& target) {
  // A broadcast of scalars keeps its input's rows and columns: what holds over the input holds
  // over it.
  for (expr::NodePtr below = target;; below = below->input()) {
    if (ColumnExprPtr rebased = RebaseThroughProjections(expression, from, below)) return rebased;
    if (below->kind() != expr::NodeKind::kBroadcastScalars) return nullptr;
  }
}

AlignedSeries AlignAll(const std::vector<Series>& series) {
  for (const auto& candidate : series) {
    AlignedSeries aligned{candidate.input(), {}};
    for (const auto& s : series) {
      ColumnExprPtr rebased = RebaseOnto(s.expression(), s.input(), candidate.input());
      if (rebased == nullptr) break;
      aligned.expressions.push_back(std::move(rebased));
    }
    if (aligned.expressions.size() == series.size()) return aligned;
  }
  // Series of sibling projections of one frame (the columns of df > 0 and of df < 5): rebase
  // them all onto the nearest frame they project from.
  for (expr::NodePtr ancestor = series.front().input(); ancestor->kind() == expr::NodeKind::kProject;) {
    ancestor = ancestor->input();
    AlignedSeries aligned{ancestor, {}};
    for (const auto& s : series) {
      ColumnExprPtr rebased = RebaseOnto(s.expression(), s.input(), ancestor);
      if (rebased == nullptr) break;
      aligned.expressions.push_back(std::move(rebased));
    }
    if (aligned.expressions.size() == series.size()) return aligned;
  }
  // Series of a frame and of a filtered (or projected) version of it: carry the former through
  // the filters as hidden columns.
  for (const auto& candidate : series) {
    AlignedSeries aligned{candidate.input(), {}};
    for (size_t i = 0; i < series.size(); ++i) {
      const Series& s = series[i];
      ColumnExprPtr rebased = RebaseOnto(s.expression(), s.input(), aligned.input);
      if (rebased == nullptr) {
        const std::string hidden = "__aligned_" + std::to_string(i);
        expr::NodePtr carried = CarryColumns(aligned.input, s.input(), {{hidden, s.expression()}});
        if (carried == nullptr) break;
        aligned.input = carried;
        rebased = ColumnExpr::Column(hidden);
      }
      aligned.expressions.push_back(std::move(rebased));
    }
    if (aligned.expressions.size() == series.size()) return aligned;
  }
  if (auto aligned = AlignBroadcasts(series)) return *aligned;
  std::string names;
  for (const auto& s : series) names += (names.empty() ? "" : ", ") + ("'" + s.name() + "' of " + s.input()->Describe());
  throw InvalidArgument("cannot align Series " + names +
                        ": they come from frames with different rows; compute them over one frame (assign the "
                        "columns first, then filter)");
}

AlignedPair Align(const Series& a, const Series& b) {
  AlignedSeries aligned = AlignAll({a, b});
  return {aligned.input, aligned.expressions[0], aligned.expressions[1]};
}

}  // namespace tessera::dataframe
