// tessera._core's ml kernels: NumPy blocks in, the block's sums out, with the GIL released
// while the kernel reads the rows (tasks on other threads run meanwhile).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstdint>
#include <span>

#include "tessera/ml/kernels.hpp"

namespace nb = nanobind;

namespace tessera::python {
namespace {

using Matrix = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using Vector = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using Codes = nb::ndarray<const int64_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

ml::MatrixView View(const Matrix& m) { return {m.data(), int64_t(m.shape(0)), int64_t(m.shape(1))}; }

template <typename T>
std::span<const T> Span(const nb::ndarray<const T, nb::ndim<1>, nb::c_contig, nb::device::cpu>& v) {
  return {v.data(), v.shape(0)};
}

/// A new NumPy array of `size` values shaped (size,) or (rows, cols), owning `values`.
template <typename T>
nb::object Owned(T* values, size_t rows, size_t cols = 0) {
  nb::capsule owner(values, [](void* p) noexcept { delete[] static_cast<T*>(p); });
  if (cols == 0) {
    size_t shape[1] = {rows};
    return nb::cast(nb::ndarray<nb::numpy, T, nb::ndim<1>>(values, 1, shape, owner));
  }
  size_t shape[2] = {rows, cols};
  return nb::cast(nb::ndarray<nb::numpy, T, nb::ndim<2>>(values, 2, shape, owner));
}

template <ml::GlmSums (*Kernel)(ml::MatrixView, std::span<const double>, std::span<const double>, double,
                                std::span<double>)>
nb::tuple Glm(const Matrix& x, const Vector& y, const Vector& w, double b) {
  const size_t p = x.shape(1);
  auto* grad = new double[p];
  ml::GlmSums sums;
  try {
    nb::gil_scoped_release release;
    sums = Kernel(View(x), Span(y), Span(w), b, {grad, p});
  } catch (...) {
    delete[] grad;
    throw;
  }
  return nb::make_tuple(sums.loss, Owned(grad, 1, p), sums.grad_b);
}

}  // namespace

void BindMl(nb::module_& m) {
  m.def("ml_logistic_loss_gradient", &Glm<ml::LogisticLossGradient>, nb::arg("x"), nb::arg("y"), nb::arg("w"),
        nb::arg("b"), "(loss sum, gradient (1 x p), intercept gradient) of the binary logistic loss over a block.");
  m.def("ml_poisson_loss_gradient", &Glm<ml::PoissonLossGradient>, nb::arg("x"), nb::arg("y"), nb::arg("w"),
        nb::arg("b"), "(loss sum, gradient (1 x p), intercept gradient) of the Poisson loss over a block.");
  m.def("ml_multinomial_loss_gradient", [](const Matrix& x, const Codes& y, const Matrix& w, const Vector& b) {
    const size_t k = w.shape(0), p = w.shape(1);
    auto* grad_w = new double[k * p];
    auto* grad_b = new double[k];
    double loss = 0;
    try {
      nb::gil_scoped_release release;
      loss = ml::MultinomialLossGradient(View(x), Span(y), View(w), Span(b), {grad_w, k * p}, {grad_b, k});
    } catch (...) {
      delete[] grad_w;
      delete[] grad_b;
      throw;
    }
    return nb::make_tuple(loss, Owned(grad_w, k, p), Owned(grad_b, k));
  }, nb::arg("x"), nb::arg("y"), nb::arg("w"), nb::arg("b"),
  "(loss sum, gradient (k x p), intercept gradients (k)) of the multinomial logistic loss over a block.");
  m.def("ml_kmeans_assign", [](const Matrix& x, const Matrix& centers) {
    const size_t n = x.shape(0), k = centers.shape(0), p = x.shape(1);
    auto* labels = new int64_t[n];
    auto* sums = new double[k * p];
    auto* counts = new int64_t[k];
    double inertia = 0;
    try {
      nb::gil_scoped_release release;
      inertia = ml::KMeansAssign(View(x), View(centers), {labels, n}, {sums, k * p}, {counts, k});
    } catch (...) {
      delete[] labels;
      delete[] sums;
      delete[] counts;
      throw;
    }
    return nb::make_tuple(Owned(labels, n), Owned(sums, k, p), Owned(counts, k), inertia);
  }, nb::arg("x"), nb::arg("centers"),
  "(labels, per-centre sums (k x p), counts (k), inertia) of a k-means assignment of a block.");
}

}  // namespace tessera::python
