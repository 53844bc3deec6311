// Sequential: runs a chain of layers forward, backward and double-backward; MakeMlp builds the models' MLPs.
#include "core/nn/sequential.h"

#include "core/nn/network_spec.h"

#include <cmath>
#include <stdexcept>

namespace ll::nn
{

template <typename T>
Sequential<T>::Sequential(const Sequential& other)
    : m_input_shape(other.m_input_shape), m_first_param_layer(other.m_first_param_layer)
{
    m_layers.reserve(other.m_layers.size());
    for (const auto& layer : other.m_layers)
    {
        m_layers.push_back(layer->Clone());
    }
}

template <typename T>
Sequential<T>& Sequential<T>::operator=(const Sequential& other)
{
    if (this != &other)
    {
        Sequential copy(other);
        *this = std::move(copy);
    }
    return *this;
}

template <typename T>
void Sequential<T>::Add(std::unique_ptr<Layer<T>> layer)
{
    if (!layer)
    {
        throw std::invalid_argument("Sequential::Add: null layer");
    }
    if (m_first_param_layer == m_layers.size())
    {
        std::vector<ParamRef<T>> params;
        layer->CollectParams("", params);
        m_first_param_layer = m_layers.size() + (params.empty() ? 1 : 0);
    }
    m_layers.push_back(std::move(layer));
}

template <typename T>
Shape Sequential<T>::OutputShape() const
{
    Shape shape = m_input_shape;
    for (const auto& layer : m_layers)
    {
        shape = layer->OutputShape(shape);
    }
    return shape;
}

template <typename T>
const Matrix<T>& Sequential<T>::Forward(const Matrix<T>& x)
{
    const Matrix<T>* a = &x;
    m_inputs.resize(m_layers.size() + 1);
    for (std::size_t i = 0; i < m_layers.size(); ++i)
    {
        m_inputs[i] = a;
        a = &m_layers[i]->Forward(*a); // each layer's output buffer is the next layer's cached input
    }
    m_inputs[m_layers.size()] = a;
    return *a;
}

template <typename T>
const Matrix<T>& Sequential<T>::LayerInput(std::size_t i) const
{
    if (i >= m_inputs.size() || m_inputs[i] == nullptr)
    {
        throw std::logic_error("Sequential::LayerInput(" + std::to_string(i) + "): no Forward has reached it");
    }
    return *m_inputs[i];
}

template <typename T>
const Matrix<T>& Sequential<T>::Backward(const Matrix<T>& dy, bool accumulate)
{
    return Backward(dy, accumulate, true);
}

template <typename T>
const Matrix<T>& Sequential<T>::Backward(const Matrix<T>& dy, bool accumulate, bool need_input_grad)
{
    return Backward(dy, accumulate, need_input_grad, m_layers.size(), m_no_input_grad);
}

template <typename T>
const Matrix<T>& Sequential<T>::Backward(const Matrix<T>& dy, bool accumulate, bool need_input_grad,
                                         std::size_t side_layer, const Matrix<T>& side_dy)
{
    const bool side = side_layer < m_layers.size();
    if (side && (side_layer == 0 || side_dy.cols() != dy.cols()))
    {
        throw std::invalid_argument("Sequential::Backward: a side gradient enters at layer " +
                                    std::to_string(side_layer) + " of " + std::to_string(m_layers.size()) +
                                    " with " + std::to_string(side_dy.cols()) + " columns, the top gradient has " +
                                    std::to_string(dy.cols()));
    }
    const Matrix<T>* g = &dy;
    if (!accumulate)
    {
        // The gradient penalty's inner backward: keep the top dy for BackwardOfBackward even if the caller
        // passed a temporary (e.g. a column of ones). Cheap: (out, B) with out usually 1.
        m_dy_top = dy;
        g = &m_dy_top;
        need_input_grad = true;
    }
    const std::size_t n = m_layers.size();
    for (std::size_t k = n; k-- > 0;)
    {
        if (!need_input_grad && k <= m_first_param_layer)
        {
            if (k == m_first_param_layer)
            {
                m_layers[k]->BackwardParamsOnly(*g);
            }
            return m_no_input_grad; // layers below have no parameters: nothing more to accumulate
        }
        g = &m_layers[k]->Backward(*g, accumulate);
        if (side && k == side_layer)
        {
            if (g->rows() != side_dy.rows())
            {
                throw std::invalid_argument("Sequential::Backward: the side gradient has " +
                                            std::to_string(side_dy.rows()) + " rows, layer " + std::to_string(k) +
                                            "'s input has " + std::to_string(g->rows()));
            }
            m_side_sum = *g + side_dy; // both losses' gradients at layer k's input
            g = &m_side_sum;
        }
    }
    if (!need_input_grad)
    {
        return m_no_input_grad; // an empty chain
    }
    return *g;
}

template <typename T>
const Matrix<T>& Sequential<T>::BackwardOfBackward(const Matrix<T>& u)
{
    const std::size_t n = m_layers.size();
    if (n == 0)
    {
        m_zero.setZero(u.rows(), u.cols());
        return m_zero;
    }
    m_dp_dx.resize(n);
    // Pass 1, input to output: layer i turns dP/d(its dx) into dP/d(its dy) = dP/d(dx of layer i + 1), adds
    // its parameter terms, and leaves dP/d(its input) through the backward map in m_dp_dx[i].
    const Matrix<T>* ui = &u;
    for (std::size_t i = 0; i < n; ++i)
    {
        ui = &m_layers[i]->BackwardOfBackward(*ui, m_dp_dx[i]);
    }
    // Pass 2, output to input: the activations a_i also depend on the parameters below them. Propagate the
    // running total r_i = dP/da_i with ordinary Backward calls (accumulating), summing at each layer's input.
    // Chains of curvature-free layers (Linear, ReLU) contribute nothing and are skipped.
    bool r_nonzero = false; // whether r_{i+1} (held in m_dp_dx[i + 1]) can be nonzero
    for (std::size_t k = n; k-- > 0;)
    {
        if (r_nonzero)
        {
            m_dp_dx[k] += m_layers[k]->Backward(m_dp_dx[k + 1], true);
        }
        else
        {
            r_nonzero = !m_layers[k]->CurvatureFree();
        }
    }
    return m_dp_dx[0];
}

template <typename T>
std::vector<ParamRef<T>> Sequential<T>::Params(const std::string& prefix)
{
    std::vector<ParamRef<T>> out;
    for (std::size_t i = 0; i < m_layers.size(); ++i)
    {
        m_layers[i]->CollectParams(prefix + std::to_string(i) + ".", out);
    }
    return out;
}

template <typename T>
std::vector<ParamRef<T>> Sequential<T>::State(const std::string& prefix)
{
    std::vector<ParamRef<T>> out;
    for (std::size_t i = 0; i < m_layers.size(); ++i)
    {
        m_layers[i]->CollectState(prefix + std::to_string(i) + ".", out);
    }
    return out;
}

template <typename T>
void Sequential<T>::ZeroGrad()
{
    for (auto& layer : m_layers)
    {
        layer->ZeroGrad();
    }
}

template <typename T>
std::size_t Sequential<T>::ParamCount() const
{
    std::vector<ParamRef<T>> params;
    for (const auto& layer : m_layers)
    {
        // CollectParams is non-const because it hands out writable refs; here they are only counted.
        const_cast<Layer<T>&>(*layer).CollectParams("", params);
    }
    std::size_t count = 0;
    for (const auto& p : params)
    {
        count += static_cast<std::size_t>(p.value->size());
    }
    return count;
}

template <typename T>
std::vector<Linear<T>*> Sequential<T>::LinearLayers()
{
    std::vector<Linear<T>*> out;
    for (auto& layer : m_layers)
    {
        if (auto* linear = dynamic_cast<Linear<T>*>(layer.get()))
        {
            out.push_back(linear);
        }
    }
    return out;
}

template <typename T>
void Sequential<T>::SetTraining(bool training)
{
    for (auto& layer : m_layers)
    {
        layer->SetTraining(training);
    }
}

template <typename T>
void Sequential<T>::SetPowerIteration(bool advance)
{
    for (auto& layer : m_layers)
    {
        layer->SetPowerIteration(advance);
    }
}

template <typename T>
void Sequential<T>::SetBatchStatistics(bool batch)
{
    for (auto& layer : m_layers)
    {
        layer->SetBatchStatistics(batch);
    }
}

template <typename T>
bool Sequential<T>::HasBatchNorm() const
{
    for (const auto& layer : m_layers)
    {
        if (layer->Kind() == "batchnorm")
        {
            return true;
        }
    }
    return false;
}

template <typename T>
Sequential<T> MakeMlp(const MlpSpec& spec, Rng& rng)
{
    if (spec.sizes.size() < 2)
    {
        throw std::invalid_argument("MakeMlp: need at least an input and an output size, got " +
                                    std::to_string(spec.sizes.size()) + " sizes");
    }
    for (std::size_t i = 0; i < spec.sizes.size(); ++i)
    {
        if (spec.sizes[i] < 1)
        {
            throw std::invalid_argument("MakeMlp: size " + std::to_string(i) + " is " +
                                        std::to_string(spec.sizes[i]) + ", must be >= 1");
        }
    }
    if (!std::isfinite(spec.leaky_slope))
    {
        throw std::invalid_argument("MakeMlp: leaky_slope must be finite");
    }
    // The `hidden` short form is a layer list like any other network: one builder, the same layers, names and
    // random draws as before the list existed (Linear weights, its bias for Torch, then spectral norm's u).
    NetworkOptions options;
    options.init = spec.init;
    options.spectral_norm = spec.spectral_norm;
    return BuildNetwork<T>("MLP", MlpLayers(spec), Shape::Flat(spec.sizes.front()), options, rng);
}

const util::EnumNames<MlpInit>& NamesOf(MlpInit)
{
    static const util::EnumNames<MlpInit> names{
        {MlpInit::Auto, "auto"}, {MlpInit::He, "he"}, {MlpInit::Xavier, "xavier"}, {MlpInit::Torch, "torch"}};
    return names;
}

template class Sequential<float>;
template class Sequential<double>;
template Sequential<float> MakeMlp<float>(const MlpSpec&, Rng&);
template Sequential<double> MakeMlp<double>(const MlpSpec&, Rng&);

} // namespace ll::nn
