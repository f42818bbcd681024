#pragma once
// Per-block kernels of the large-data estimators (tessera.ml): each reads a row-major block of
// float64 rows once and returns the block's contribution (loss and gradient sums, k-means
// assignments and per-cluster sums) to a driver that combines the blocks and takes the step.
// No allocation inside the loops; callers run them on many blocks at once.

#include <cstdint>
#include <span>

namespace tessera::ml {

/// A row-major matrix of `rows` x `cols` doubles (row i at data + i * cols).
struct MatrixView {
  const double* data = nullptr;
  int64_t rows = 0;
  int64_t cols = 0;

  const double* row(int64_t i) const { return data + i * cols; }
};

/// Loss and gradient sums of a one-vector GLM over a block: for z_i = x_i . w + b,
/// grad_w = sum r_i x_i and grad_b = sum r_i (both overwritten). Returns the loss sum.
struct GlmSums {
  double loss = 0;
  double grad_b = 0;
};

/// Binary logistic loss log(1 + e^z) - y z, residual sigmoid(z) - y (y in {0, 1}); stable for
/// any z.
GlmSums LogisticLossGradient(MatrixView x, std::span<const double> y, std::span<const double> w, double b,
                             std::span<double> grad_w);

/// Poisson loss e^z - y z (log link), residual e^z - y.
GlmSums PoissonLossGradient(MatrixView x, std::span<const double> y, std::span<const double> w, double b,
                            std::span<double> grad_w);

/// Multinomial logistic loss logsumexp(z) - z_y for z = W x + b (W: k x p), with gradients
/// grad_w (k x p, row-major) and grad_b (k) of the block (overwritten). y holds class codes 0..k-1.
double MultinomialLossGradient(MatrixView x, std::span<const int64_t> y, MatrixView w, std::span<const double> b,
                               std::span<double> grad_w, std::span<double> grad_b);

/// k-means step over a block: each row's nearest centre (the first on ties) into labels, the
/// sums of the rows per centre (k x p, overwritten) and their counts (k, overwritten). Returns
/// the sum of squared distances to the nearest centres (the block's inertia).
double KMeansAssign(MatrixView x, MatrixView centers, std::span<int64_t> labels, std::span<double> sums,
                    std::span<int64_t> counts);

}  // namespace tessera::ml
