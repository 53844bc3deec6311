// Conv2d and ConvTranspose2d over channels-last batches (x: (C*H*W, B), one example per column): one im2col /
// col2im and one nn::Gemm over the whole batch per pass. Square kernels; rectangular inputs. Both are linear in x,
// so their double backward (gradient penalties with a conv critic) has no dP/dx term.
#pragma once

#include "core/nn/im2col.h"
#include "core/nn/layers.h"
#include "core/nn/spectral_norm.h"

namespace ll::nn
{

// y (Cout, Ho*Wo*B) = W (Cout, k*k*Cin) * cols (k*k*Cin, Ho*Wo*B) + b, with Ho = (H + 2 pad - k) / stride + 1.
// Weight rows are ordered (ky, kx, cin). Init: fan_in = k*k*Cin, fan_out = k*k*Cout (PyTorch's fans); Torch draws
// the bias from U(+-1/sqrt(fan_in)) as nn.Conv2d does, the other kinds start it at zero.
template <typename T>
class Conv2d final : public Layer<T>
{
public:
    Conv2d(const Shape& input, Index out_channels, Index kernel, Index stride, Index pad, bool bias, InitKind init,
           Rng& rng);

    std::string Kind() const override;
    Index OutputSize(Index) const override { return m_out.Size(); }
    Shape OutputShape(const Shape&) const override { return m_out; }
    const Matrix<T>& Forward(const Matrix<T>& x) override;
    const Matrix<T>& Backward(const Matrix<T>& dy, bool accumulate = true) override;
    void BackwardParamsOnly(const Matrix<T>& dy) override;
    const Matrix<T>& BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx) override;
    void CollectParams(const std::string& prefix, std::vector<ParamRef<T>>& out) override;
    // With spectral normalisation: prefix + "sn_u" and "sn_v", as Linear names them.
    void CollectState(const std::string& prefix, std::vector<ParamRef<T>>& out) override;
    void ZeroGrad() override;
    // Training: spectral norm's power iteration advances in Forward; evaluation: u, v frozen.
    void SetPowerIteration(bool advance) override { m_training = advance; }
    bool CurvatureFree() const override { return true; }
    std::unique_ptr<Layer<T>> Clone() const override;

    // Spectral normalisation of the (Cout, k*k*Cin) weight matrix, as Linear::EnableSpectralNorm.
    void EnableSpectralNorm(Rng& rng) { m_sn.Enable(m_w, rng); }
    bool SpectralNormEnabled() const { return m_sn.Enabled(); }
    T Sigma() const { return m_sn.Sigma(); }
    Matrix<T>& SpectralU() { return m_sn.U(); } // (Cout, 1)
    Matrix<T>& SpectralV() { return m_sn.V(); } // (k*k*Cin, 1)

    const Shape& InputShape() const { return m_in; }
    const ConvGeometry& Geometry() const { return m_g; }
    bool HasBias() const { return m_has_bias; }
    Matrix<T>& Weight() { return m_w; }
    Matrix<T>& Bias() { return m_b; }
    Matrix<T>& WeightGrad() { return m_dw; }
    Matrix<T>& BiasGrad() { return m_db; }

private:
    void BackwardImpl(const Matrix<T>& dy, bool accumulate, bool need_dx);
    // Patch matrix of the cached x (im2col again when m_cols was reused as scratch since Forward).
    const T* ColsOfX();
    // The weight the products use: W, or W / sigma under spectral normalisation (from the last Forward).
    const T* WeightData() const { return m_sn.Enabled() ? m_sn.EffectiveWeight().data() : m_w.data(); }
    // dW += dL/dW for g = a product giving dL/dW_eff: g runs into dW directly, or through W / sigma.
    template <typename Product>
    void AccumulateWeightGrad(Product&& g);

    Shape m_in, m_out;
    ConvGeometry m_g; // image = input, grid = output
    bool m_has_bias = true;
    Matrix<T> m_w;  // (Cout, k*k*Cin)
    Matrix<T> m_b;  // (Cout, 1), empty without bias
    Matrix<T> m_dw; // (Cout, k*k*Cin)
    Matrix<T> m_db; // (Cout, 1)
    SpectralNorm<T> m_sn;
    bool m_training = true;

    const Matrix<T>* m_x = nullptr;  // (Cin*H*W, B) input of the last Forward, by pointer
    const Matrix<T>* m_dy = nullptr; // (Cout*Ho*Wo, B) dy of the last Backward, by pointer
    // (k*k*Cin, Ho*Wo*B): im2col(x) after Forward; reused for W^T dy in Backward and im2col(u) in the double
    // backward (one buffer per layer, the largest one of the layer). Unused for pointwise kernels.
    Matrix<T> m_cols;
    bool m_cols_of_x = false;
    Matrix<T> m_y;   // (Cout*Ho*Wo, B)
    Matrix<T> m_dx;  // (Cin*H*W, B)
    Matrix<T> m_ddy; // (Cout*Ho*Wo, B)
};

// The adjoint of Conv2d in x: y = col2im(W^T x) + b, Ho = (H - 1) stride - 2 pad + k + output_pad, output_pad <
// stride. Weight (Cin, k*k*Cout), columns ordered (ky, kx, cout). Init fans as PyTorch computes them for
// nn.ConvTranspose2d (fan_in = k*k*Cout: the weight's columns; fan_out = k*k*Cin).
template <typename T>
class ConvTranspose2d final : public Layer<T>
{
public:
    ConvTranspose2d(const Shape& input, Index out_channels, Index kernel, Index stride, Index pad, Index output_pad,
                    bool bias, InitKind init, Rng& rng);

    std::string Kind() const override;
    Index OutputSize(Index) const override { return m_out.Size(); }
    Shape OutputShape(const Shape&) const override { return m_out; }
    const Matrix<T>& Forward(const Matrix<T>& x) override;
    const Matrix<T>& Backward(const Matrix<T>& dy, bool accumulate = true) override;
    void BackwardParamsOnly(const Matrix<T>& dy) override;
    const Matrix<T>& BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx) override;
    void CollectParams(const std::string& prefix, std::vector<ParamRef<T>>& out) override;
    void ZeroGrad() override;
    bool CurvatureFree() const override { return true; }
    std::unique_ptr<Layer<T>> Clone() const override;

    const Shape& InputShape() const { return m_in; }
    const ConvGeometry& Geometry() const { return m_g; }
    Index OutputPad() const { return m_output_pad; }
    bool HasBias() const { return m_has_bias; }
    Matrix<T>& Weight() { return m_w; }
    Matrix<T>& Bias() { return m_b; }
    Matrix<T>& WeightGrad() { return m_dw; }
    Matrix<T>& BiasGrad() { return m_db; }

private:
    void BackwardImpl(const Matrix<T>& dy, bool accumulate, bool need_dx);
    // Patch matrix of the cached dy (im2col again when m_cols holds something else).
    const T* ColsOfDy();

    Shape m_in, m_out;
    ConvGeometry m_g; // image = output, grid = input
    Index m_output_pad = 0;
    bool m_has_bias = true;
    Matrix<T> m_w;  // (Cin, k*k*Cout)
    Matrix<T> m_b;  // (Cout, 1)
    Matrix<T> m_dw; // (Cin, k*k*Cout)
    Matrix<T> m_db; // (Cout, 1)

    const Matrix<T>* m_x = nullptr;  // (Cin*H*W, B)
    const Matrix<T>* m_dy = nullptr; // (Cout*Ho*Wo, B)
    // (k*k*Cout, H*W*B): W^T x in Forward, im2col(dy) after Backward, W^T u in the double backward.
    Matrix<T> m_cols;
    bool m_cols_of_dy = false;
    Matrix<T> m_y;   // (Cout*Ho*Wo, B)
    Matrix<T> m_dx;  // (Cin*H*W, B)
    Matrix<T> m_ddy; // (Cout*Ho*Wo, B)
};

} // namespace ll::nn
