#include "tessera/ml/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tessera/base/error.hpp"

namespace tessera::ml {
namespace {

void CheckSizes(bool ok, const std::string& what) {
  if (!ok) throw InvalidArgument("ml kernel: " + what);
}

double Dot(const double* a, const double* b, int64_t n) {
  double s = 0;
  for (int64_t j = 0; j < n; ++j) s += a[j] * b[j];
  return s;
}

void Axpy(double r, const double* x, double* out, int64_t n) {
  for (int64_t j = 0; j < n; ++j) out[j] += r * x[j];
}

void CheckGlm(MatrixView x, size_t y, size_t w, size_t grad_w) {
  CheckSizes(int64_t(y) == x.rows, "y has " + std::to_string(y) + " values for " + std::to_string(x.rows) + " rows");
  CheckSizes(int64_t(w) == x.cols && int64_t(grad_w) == x.cols,
             "coefficients / gradient do not have one value per column (" + std::to_string(x.cols) + ")");
}

/// One pass over the rows: residual(z, y, &loss) gives the row's residual and adds its loss.
template <typename Residual>
GlmSums GlmPass(MatrixView x, std::span<const double> y, std::span<const double> w, double b,
                std::span<double> grad_w, Residual residual) {
  CheckGlm(x, y.size(), w.size(), grad_w.size());
  std::fill(grad_w.begin(), grad_w.end(), 0.0);
  GlmSums sums;
  for (int64_t i = 0; i < x.rows; ++i) {
    const double* row = x.row(i);
    const double r = residual(Dot(row, w.data(), x.cols) + b, y[size_t(i)], sums.loss);
    Axpy(r, row, grad_w.data(), x.cols);
    sums.grad_b += r;
  }
  return sums;
}

}  // namespace

GlmSums LogisticLossGradient(MatrixView x, std::span<const double> y, std::span<const double> w, double b,
                             std::span<double> grad_w) {
  return GlmPass(x, y, w, b, grad_w, [](double z, double label, double& loss) {
    const double e = std::exp(-std::abs(z));  // <= 1: no overflow for any z
    loss += std::max(z, 0.0) + std::log1p(e) - label * z;
    const double probability = (z >= 0 ? 1.0 : e) / (1.0 + e);
    return probability - label;
  });
}

GlmSums PoissonLossGradient(MatrixView x, std::span<const double> y, std::span<const double> w, double b,
                            std::span<double> grad_w) {
  return GlmPass(x, y, w, b, grad_w, [](double z, double count, double& loss) {
    const double mu = std::exp(z);
    loss += mu - count * z;
    return mu - count;
  });
}

double MultinomialLossGradient(MatrixView x, std::span<const int64_t> y, MatrixView w, std::span<const double> b,
                               std::span<double> grad_w, std::span<double> grad_b) {
  const int64_t k = w.rows;
  CheckSizes(int64_t(y.size()) == x.rows, "y has " + std::to_string(y.size()) + " codes for " +
                                               std::to_string(x.rows) + " rows");
  CheckSizes(w.cols == x.cols && int64_t(grad_w.size()) == k * x.cols, "coefficients are not k x columns");
  CheckSizes(int64_t(b.size()) == k && int64_t(grad_b.size()) == k, "intercepts are not one per class");
  std::fill(grad_w.begin(), grad_w.end(), 0.0);
  std::fill(grad_b.begin(), grad_b.end(), 0.0);
  std::vector<double> z(size_t(k), 0.0);
  double loss = 0;
  for (int64_t i = 0; i < x.rows; ++i) {
    const double* row = x.row(i);
    const int64_t label = y[size_t(i)];
    CheckSizes(label >= 0 && label < k, "class code " + std::to_string(label) + " outside 0.." + std::to_string(k - 1));
    double top = -std::numeric_limits<double>::infinity();
    for (int64_t c = 0; c < k; ++c) {
      z[size_t(c)] = Dot(row, w.row(c), x.cols) + b[size_t(c)];
      top = std::max(top, z[size_t(c)]);
    }
    double total = 0;
    for (int64_t c = 0; c < k; ++c) total += std::exp(z[size_t(c)] - top);
    const double normaliser = top + std::log(total);
    loss += normaliser - z[size_t(label)];
    for (int64_t c = 0; c < k; ++c) {
      const double r = std::exp(z[size_t(c)] - normaliser) - (c == label ? 1.0 : 0.0);
      Axpy(r, row, grad_w.data() + c * x.cols, x.cols);
      grad_b[size_t(c)] += r;
    }
  }
  return loss;
}

double KMeansAssign(MatrixView x, MatrixView centers, std::span<int64_t> labels, std::span<double> sums,
                    std::span<int64_t> counts) {
  const int64_t k = centers.rows;
  CheckSizes(k > 0 && centers.cols == x.cols, "centres must be k x columns with k > 0");
  CheckSizes(int64_t(labels.size()) == x.rows, "labels must have one slot per row");
  CheckSizes(int64_t(sums.size()) == k * x.cols && int64_t(counts.size()) == k,
             "sums / counts are not k x columns / k");
  std::fill(sums.begin(), sums.end(), 0.0);
  std::fill(counts.begin(), counts.end(), 0);
  double inertia = 0;
  for (int64_t i = 0; i < x.rows; ++i) {
    const double* row = x.row(i);
    int64_t best = 0;
    double best_distance = std::numeric_limits<double>::infinity();
    for (int64_t c = 0; c < k; ++c) {
      const double* center = centers.row(c);
      double d = 0;
      for (int64_t j = 0; j < x.cols && d < best_distance; ++j) {  // stop once it cannot win
        const double diff = row[j] - center[j];
        d += diff * diff;
      }
      if (d < best_distance) {
        best_distance = d;
        best = c;
      }
    }
    labels[size_t(i)] = best;
    ++counts[size_t(best)];
    Axpy(1.0, row, sums.data() + best * x.cols, x.cols);
    inertia += best_distance;
  }
  return inertia;
}

}  // namespace tessera::ml
