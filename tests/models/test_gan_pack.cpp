// PacGAN packing (gan.pack): the copies between samples and D's packed inputs (stacked features for an MLP D,
// channels for an image D), their inverses and adjoints, the batches a packed step draws, D's input size, what the
// views' single points see, the config's range, the formula, determinism and an exact resume. The losses and
// penalties under packing are checked against the double reference in test_gan.cpp.
#include "../io/checkpoint_test_util.h"
#include "core/models/config.h"
#include "core/models/gan.h"
#include "core/models/gan_pack.h"
#include "core/models/hyperparams.h"
#include "toy_source.h"

#include <doctest/doctest.h>

#include <cmath>

using ll::Rng;
using ll::models::Batch;
using ll::models::BatchSource;
using ll::models::ExperimentConfig;
using ll::models::Gan;
using ll::models::Metrics;
using ll::models::StepPhase;
namespace nn = ll::nn;
namespace models = ll::models;

namespace
{

ExperimentConfig PackConfig(int pack, models::GanObjective objective = models::GanObjective::NonSaturating)
{
    ExperimentConfig c;
    c.family = models::Family::Gan;
    c.gan.objective = objective;
    c.gan.noise_dim = 2;
    c.gan.pack = pack;
    c.gan.generator = {{8}, nn::ActivationKind::LeakyReLU, 0.2, std::nullopt, false};
    c.gan.discriminator = {{8}, nn::ActivationKind::LeakyReLU, 0.2, std::nullopt, false};
    return c;
}

// Counts the batches asked for; 6 samples each, numbered so a test can see which ones D got.
class CountingSource final : public BatchSource
{
public:
    int calls = 0;
    Batch Next(Rng&) override
    {
        m_x.resize(2, 6);
        for (Eigen::Index j = 0; j < 6; ++j)
        {
            m_x(0, j) = static_cast<float>(calls * 6 + j);
            m_x(1, j) = -1.0f;
        }
        ++calls;
        return Batch{&m_x, nullptr};
    }

private:
    nn::MatrixF m_x;
};

} // namespace

TEST_CASE("Packing: flat samples are stacked m at a time, and unpacking gives them back")
{
    nn::MatrixF x(2, 4); // 4 samples of 2 features: sample j is (j, 10 + j)
    x << 0, 1, 2, 3, 10, 11, 12, 13;
    nn::MatrixF packed, back;
    models::PackExamples(x, nn::Shape::Flat(2), 2, packed);
    REQUIRE(packed.rows() == 4);
    REQUIRE(packed.cols() == 2);
    nn::MatrixF expected(4, 2);
    expected << 0, 2, 10, 12, 1, 3, 11, 13; // column j: sample 2j, then sample 2j + 1
    CHECK(packed == expected);
    models::UnpackExamples(packed, nn::Shape::Flat(2), 2, back);
    CHECK(back == x);
    CHECK(models::PackedShape(nn::Shape::Flat(2), 4) == nn::Shape::Flat(8));
}

TEST_CASE("Packing: image samples are concatenated along the channels, pixel by pixel (channels-last)")
{
    // Two samples of 2 channels x 1 x 2 pixels, HWC: feature (pixel * c + channel). Sample s, pixel p, channel ch
    // holds 100 s + 10 p + ch.
    const nn::Shape shape{2, 1, 2};
    nn::MatrixF x(4, 2);
    for (int s = 0; s < 2; ++s)
        for (int p = 0; p < 2; ++p)
            for (int ch = 0; ch < 2; ++ch)
                x(p * 2 + ch, s) = static_cast<float>(100 * s + 10 * p + ch);
    nn::MatrixF packed, back;
    models::PackExamples(x, shape, 2, packed);
    CHECK(models::PackedShape(shape, 2) == nn::Shape{4, 1, 2});
    REQUIRE(packed.rows() == 8);
    REQUIRE(packed.cols() == 1);
    // Packed shape (4 channels, 1, 2), HWC: pixel p's channels are sample 0's two, then sample 1's two.
    nn::MatrixF expected(8, 1);
    expected << 0, 1, 100, 101, 10, 11, 110, 111;
    CHECK(packed == expected);
    models::UnpackExamples(packed, shape, 2, back);
    CHECK(back == x);
}

TEST_CASE("Packing: a point packed with copies of itself, and the slot sum that is its adjoint")
{
    const nn::Shape shape{2, 1, 3};
    Rng rng(4);
    nn::MatrixF x(6, 5), y(18, 5);
    for (Eigen::Index i = 0; i < x.size(); ++i)
        x.data()[i] = static_cast<float>(rng.Normal());
    for (Eigen::Index i = 0; i < y.size(); ++i)
        y.data()[i] = static_cast<float>(rng.Normal());
    nn::MatrixF rep, sum;
    models::PackRepeated(x, shape, 3, rep);
    REQUIRE(rep.rows() == 18);
    REQUIRE(rep.cols() == 5);
    nn::MatrixF slots;
    models::UnpackExamples(rep, shape, 3, slots); // every slot of column j is x's column j
    for (Eigen::Index j = 0; j < 5; ++j)
        for (int k = 0; k < 3; ++k)
            CHECK(slots.col(j * 3 + k) == x.col(j));
    // <PackRepeated(x), y> = <x, SumPackSlots(y)>: the gradient of a point that fills every slot.
    models::SumPackSlots(y, shape, 3, sum);
    const double lhs = (rep.cast<double>().array() * y.cast<double>().array()).sum();
    const double rhs = (x.cast<double>().array() * sum.cast<double>().array()).sum();
    CHECK(lhs == doctest::Approx(rhs).epsilon(1e-6));
}

TEST_CASE("Packing: samples that do not fill whole packs, and wrong shapes, are refused")
{
    nn::MatrixF x(2, 5), out;
    x.setZero();
    CHECK_THROWS_AS(models::PackExamples(x, nn::Shape::Flat(2), 2, out), std::invalid_argument);
    CHECK_THROWS_AS(models::PackExamples(x, nn::Shape::Flat(3), 1, out), std::invalid_argument);
    CHECK_THROWS_AS(models::PackExamples(x, nn::Shape::Flat(2), 0, out), std::invalid_argument);
    CHECK_THROWS_AS(models::UnpackExamples(x, nn::Shape::Flat(2), 2, out), std::invalid_argument);

    Rng rng(1);
    Gan gan(PackConfig(2), 2, 0, rng);
    nn::MatrixF real = nn::MatrixF::Zero(2, 3), z = nn::MatrixF::Zero(2, 3);
    CHECK_THROWS_AS(gan.DiscriminatorGrad(real, nullptr, z, nullptr, false), std::invalid_argument);
    CHECK_THROWS_AS(gan.GeneratorGrad(z, nullptr), std::invalid_argument);
}

TEST_CASE("Packing: gan.pack is one table row, refused outside [1, 16], and D's input grows with it")
{
    const models::Hyperparam* h = models::FindHyper("pack");
    REQUIRE(h != nullptr);
    CHECK(std::string(h->key) == "gan.pack");
    CHECK_FALSE(h->Live()); // D's shape changes: it applies on reset
    for (const int bad : {0, 17})
    {
        ExperimentConfig c = PackConfig(bad);
        CHECK_THROWS_WITH_AS(models::Validate(c), doctest::Contains("gan.pack must be in [1, 16]"),
                             std::invalid_argument);
        Rng rng(1);
        CHECK_THROWS_AS(Gan(c, 2, 0, rng), std::invalid_argument);
    }
    for (const int pack : {1, 3})
    {
        Rng rng(1);
        Gan gan(PackConfig(pack), 2, 0, rng);
        const auto& first = dynamic_cast<nn::Linear<float>&>(gan.Discriminator().At(0));
        CHECK(first.Weight().cols() == 2 * pack);
    }
    // The memory estimate counts D's wider input and G's pack x batch samples.
    const auto one = models::EstimateMemory(PackConfig(1), 2, 0);
    const auto four = models::EstimateMemory(PackConfig(4), 2, 0);
    CHECK(four.parameters > one.parameters);
    CHECK(four.activations > one.activations);
}

TEST_CASE("Packing: a packed step draws pack batches for every D update and for the G update")
{
    for (const int pack : {1, 3})
    {
        CAPTURE(pack);
        ExperimentConfig config = PackConfig(pack);
        config.gan.d_steps = 2;
        Rng rng(2);
        Gan gan(config, 2, 0, rng);
        CountingSource source;
        Metrics m;
        gan.TrainStep(source, rng, 0, StepPhase::Both, m);
        CHECK(source.calls == (2 + 1) * pack);
        gan.TrainStep(source, rng, 1, StepPhase::GeneratorOnly, m);
        CHECK(source.calls == (2 + 2) * pack);
        for (const auto& [name, value] : m)
            CHECK(std::isfinite(value));
    }

    // WGAN-GP under packing: one interpolation weight per D input, drawn by the step itself.
    Rng rng(3);
    Gan gan(PackConfig(2, models::GanObjective::WganGp), 2, 0, rng);
    ll::test::ToySource source(ll::data::ToyKind::Grid25, 8);
    Metrics m;
    gan.TrainStep(source, rng, 0, StepPhase::Both, m);
    bool has_gp = false;
    for (const auto& [name, value] : m)
    {
        CHECK(std::isfinite(value));
        has_gp = has_gp || (name == "gp" && value > 0.0);
    }
    CHECK(has_gp);
}

TEST_CASE("Packing: the views' single points are scored as D(x, x, ..., x)")
{
    Rng rng(5);
    Gan gan(PackConfig(3), 2, 0, rng);
    nn::MatrixF x(2, 2);
    x << 0.5f, -1.0f, 2.0f, 0.25f;
    nn::MatrixF scores;
    gan.Score(x, nullptr, scores);
    REQUIRE(scores.rows() == 1);
    REQUIRE(scores.cols() == 2);
    nn::MatrixF repeated(6, 2);
    repeated << x, x, x;
    const nn::MatrixF direct = gan.Discriminator().Forward(repeated);
    CHECK(scores(0, 0) == doctest::Approx(direct(0, 0)).epsilon(1e-6));
    CHECK(scores(0, 1) == doctest::Approx(direct(0, 1)).epsilon(1e-6));
    nn::MatrixF z = nn::MatrixF::Zero(2, 5), arrows; // any number of points, not only whole packs
    gan.GeneratorOutputGrad(z, nullptr, arrows);
    CHECK(arrows.rows() == 2);
    CHECK(arrows.cols() == 5);
}

TEST_CASE("Packing: the formula says what D judges only when packing is on")
{
    Rng rng(1);
    const Gan packed(PackConfig(4), 2, 0, rng);
    const Gan plain(PackConfig(1), 2, 0, rng);
    CHECK(packed.Formula().find("packed: D judges 4 samples at once, x = (x_1, ..., x_4), all real or all G(z)") !=
          std::string::npos);
    CHECK(plain.Formula().find("packed") == std::string::npos);
}

TEST_CASE("Packing: the same seed gives the same run, and a packed run resumed from a checkpoint matches bit for bit")
{
    using namespace ll;
    using namespace ll::io::test;
    auto run = [](std::uint64_t seed) {
        Rng rng(seed);
        Gan gan(PackConfig(2, models::GanObjective::WganGp), 2, 0, rng);
        ll::test::ToySource source(ll::data::ToyKind::Ring8, 8);
        Metrics m;
        for (int s = 0; s < 5; ++s)
            gan.TrainStep(source, rng, s, StepPhase::Both, m);
        return m;
    };
    CHECK(run(7) == run(7));
    CHECK(run(7) != run(8));

    TempDir dir("ckpt_pack");
    models::ExperimentConfig config = TinyGan();
    config.gan.pack = 3;
    const io::CheckpointData state = CheckExactResume(config, dir, 30);
    CHECK(state.config.gan.pack == 3);
}
