#include "tessera/ml/kernels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "tessera/base/error.hpp"

namespace tessera::ml {
namespace {

struct Block {
  std::vector<double> values;
  int64_t rows, cols;
  MatrixView view() const { return {values.data(), rows, cols}; }
};

Block RandomBlock(int64_t rows, int64_t cols, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Block b{std::vector<double>(size_t(rows * cols)), rows, cols};
  for (double& v : b.values) v = normal(rng);
  return b;
}

// The reference: the loss of a GLM summed row by row, and its gradient by central differences.
template <typename Kernel>
void ExpectGradientIsTheLossDerivative(Kernel kernel, const std::vector<double>& y) {
  const Block x = RandomBlock(int64_t(y.size()), 3, 7);
  std::vector<double> w{0.3, -0.2, 0.1}, grad(3);
  const double b = 0.05;
  const GlmSums at = kernel(x.view(), y, w, b, grad);
  const double h = 1e-6;
  std::vector<double> scratch(3);
  for (size_t j = 0; j < 3; ++j) {
    std::vector<double> up = w, down = w;
    up[j] += h;
    down[j] -= h;
    const double numeric =
        (kernel(x.view(), y, up, b, scratch).loss - kernel(x.view(), y, down, b, scratch).loss) / (2 * h);
    EXPECT_NEAR(grad[j], numeric, 1e-5 * std::max(1.0, std::abs(numeric)));
  }
  const double numeric_b =
      (kernel(x.view(), y, w, b + h, scratch).loss - kernel(x.view(), y, w, b - h, scratch).loss) / (2 * h);
  EXPECT_NEAR(at.grad_b, numeric_b, 1e-5 * std::max(1.0, std::abs(numeric_b)));
}

TEST(LogisticLossGradient, KnownValuesAtZero) {
  // z = 0 everywhere: each row's loss is log 2, its residual 0.5 - y
  const std::vector<double> x{1, 2, 3, 4};
  const std::vector<double> y{1, 0};
  std::vector<double> w{0, 0}, grad(2);
  const GlmSums sums = LogisticLossGradient({x.data(), 2, 2}, y, w, 0.0, grad);
  EXPECT_DOUBLE_EQ(sums.loss, 2 * std::log(2.0));
  EXPECT_DOUBLE_EQ(sums.grad_b, 0.0);
  EXPECT_DOUBLE_EQ(grad[0], -0.5 * 1 + 0.5 * 3);
  EXPECT_DOUBLE_EQ(grad[1], -0.5 * 2 + 0.5 * 4);
}

TEST(LogisticLossGradient, GradientMatchesFiniteDifferences) {
  std::vector<double> y(200);
  for (size_t i = 0; i < y.size(); ++i) y[i] = double(i % 3 == 0);
  ExpectGradientIsTheLossDerivative(LogisticLossGradient, y);
}

TEST(LogisticLossGradient, LargeScoresStayFinite) {
  const std::vector<double> x{1000, -1000};
  const std::vector<double> y{0, 1};
  std::vector<double> w{1}, grad(1);
  const GlmSums sums = LogisticLossGradient({x.data(), 2, 1}, y, w, 0.0, grad);
  EXPECT_DOUBLE_EQ(sums.loss, 2000.0);  // both rows wrong by a score of 1000
  EXPECT_DOUBLE_EQ(grad[0], 1000.0 + 1000.0);
}

TEST(PoissonLossGradient, GradientMatchesFiniteDifferences) {
  std::vector<double> y(150);
  for (size_t i = 0; i < y.size(); ++i) y[i] = double(i % 4);
  ExpectGradientIsTheLossDerivative(PoissonLossGradient, y);
}

TEST(MultinomialLossGradient, EqualsLogSoftmaxAndItsDerivative) {
  const Block x = RandomBlock(50, 2, 3);
  std::vector<int64_t> y(50);
  for (size_t i = 0; i < y.size(); ++i) y[i] = int64_t(i % 3);
  std::vector<double> w{0.2, -0.1, 0.0, 0.3, -0.4, 0.1}, b{0.1, 0.0, -0.2}, grad_w(6), grad_b(3);
  const double loss = MultinomialLossGradient(x.view(), y, {w.data(), 3, 2}, b, grad_w, grad_b);
  double expected = 0;
  for (int64_t i = 0; i < 50; ++i) {
    double z[3], total = 0;
    for (int c = 0; c < 3; ++c) {
      z[c] = w[size_t(2 * c)] * x.values[size_t(2 * i)] + w[size_t(2 * c + 1)] * x.values[size_t(2 * i + 1)] +
             b[size_t(c)];
      total += std::exp(z[c]);
    }
    expected += std::log(total) - z[y[size_t(i)]];
  }
  EXPECT_NEAR(loss, expected, 1e-12 * expected);
  const double h = 1e-6;
  std::vector<double> gw(6), gb(3);
  for (size_t j = 0; j < 6; ++j) {
    std::vector<double> up = w, down = w;
    up[j] += h;
    down[j] -= h;
    const double numeric = (MultinomialLossGradient(x.view(), y, {up.data(), 3, 2}, b, gw, gb) -
                            MultinomialLossGradient(x.view(), y, {down.data(), 3, 2}, b, gw, gb)) / (2 * h);
    EXPECT_NEAR(grad_w[j], numeric, 1e-5);
  }
  double sum_b = 0;
  for (double g : grad_b) sum_b += g;
  EXPECT_NEAR(sum_b, 0.0, 1e-12);  // softmax residuals of a row sum to zero
}

TEST(MultinomialLossGradient, RejectsCodesOutsideTheClasses) {
  const std::vector<double> x{1.0}, w{0.0, 0.0}, b{0.0, 0.0};
  const std::vector<int64_t> y{2};
  std::vector<double> gw(2), gb(2);
  EXPECT_THROW(MultinomialLossGradient({x.data(), 1, 1}, y, {w.data(), 2, 1}, b, gw, gb), InvalidArgument);
}

TEST(KMeansAssign, AssignsEveryRowToItsNearestCentreAndSumsThem) {
  const Block x = RandomBlock(300, 4, 11);
  const Block centers = RandomBlock(5, 4, 12);
  std::vector<int64_t> labels(300), counts(5);
  std::vector<double> sums(20);
  const double inertia = KMeansAssign(x.view(), centers.view(), labels, sums, counts);
  double expected_inertia = 0;
  std::vector<double> expected_sums(20, 0.0);
  std::vector<int64_t> expected_counts(5, 0);
  for (int64_t i = 0; i < 300; ++i) {
    int64_t best = 0;
    double best_d = 1e300;
    for (int64_t c = 0; c < 5; ++c) {
      double d = 0;
      for (int64_t j = 0; j < 4; ++j) d += std::pow(x.values[size_t(i * 4 + j)] - centers.values[size_t(c * 4 + j)], 2);
      if (d < best_d) best_d = d, best = c;
    }
    EXPECT_EQ(labels[size_t(i)], best);
    expected_inertia += best_d;
    ++expected_counts[size_t(best)];
    for (int64_t j = 0; j < 4; ++j) expected_sums[size_t(best * 4 + j)] += x.values[size_t(i * 4 + j)];
  }
  EXPECT_NEAR(inertia, expected_inertia, 1e-9 * expected_inertia);
  EXPECT_EQ(counts, expected_counts);
  for (size_t j = 0; j < 20; ++j) EXPECT_NEAR(sums[j], expected_sums[j], 1e-12 * 300);
}

TEST(KMeansAssign, TiesGoToTheFirstCentre) {
  const std::vector<double> x{0.0}, centers{-1.0, 1.0};
  std::vector<int64_t> labels(1), counts(2);
  std::vector<double> sums(2);
  EXPECT_DOUBLE_EQ(KMeansAssign({x.data(), 1, 1}, {centers.data(), 2, 1}, labels, sums, counts), 1.0);
  EXPECT_EQ(labels[0], 0);
}

TEST(Kernels, MismatchedSizesAreErrors) {
  const std::vector<double> x{1, 2}, y{1}, w{0};
  std::vector<double> grad(1);
  EXPECT_THROW(LogisticLossGradient({x.data(), 2, 1}, y, w, 0.0, grad), InvalidArgument);
  std::vector<int64_t> labels(2), counts(1);
  std::vector<double> sums(2);
  EXPECT_THROW(KMeansAssign({x.data(), 2, 1}, {w.data(), 1, 1}, labels, sums, counts), InvalidArgument);
}

}  // namespace
}  // namespace tessera::ml
