// Checkpoints through the session: exact resume across sessions, refused files leave the run going, and a
// divergence (huge learning rate) rolls back to the last good state and pauses with a remedy.
#include "checkpoint_test_util.h"

#include "core/train/session.h"

#include "../support/session_wait.h"

#include <cmath>
#include <map>

using namespace std::chrono_literals;
using namespace ll;
using namespace ll::io::test;

namespace
{

constexpr auto kDeadline = ll::test::kSessionDeadline;
using ll::test::QuietSessionOptions;
using ll::test::WaitForReply;

// Rows with step > after, by step: every metric's bits.
std::map<std::int64_t, std::vector<std::pair<std::string, double>>> RowsAfter(train::Session& s, std::int64_t after)
{
    train::MetricBlock block;
    s.DrainMetrics(block);
    std::map<std::int64_t, std::vector<std::pair<std::string, double>>> out;
    for (std::size_t r = 0; r < block.Rows(); ++r)
    {
        if (block.steps[r] <= after)
        {
            continue;
        }
        for (std::size_t c = 0; c < block.names.size(); ++c)
        {
            if (!std::isnan(block.columns[c][r]))
            {
                out[block.steps[r]].emplace_back(block.names[c], block.columns[c][r]);
            }
        }
    }
    return out;
}

} // namespace

TEST_CASE("Session: save at step 200, load into a new session, run to 400: same metrics and parameters as 400 straight")
{
    TempDir dir("ckpt_session");
    const auto config = TinyGan();
    const std::string half = (dir.Path() / "half.ckpt").string();
    const std::string end_a = (dir.Path() / "a.ckpt").string(), end_b = (dir.Path() / "b.ckpt").string();

    train::Session a(QuietSessionOptions());
    WaitForReply(a, a.Load(config));
    WaitForReply(a, a.RunUntil(200));
    CHECK(WaitForReply(a, a.SaveCheckpoint(half))->checkpoint_error.empty());
    WaitForReply(a, a.RunUntil(400));
    CHECK(WaitForReply(a, a.SaveCheckpoint(end_a))->checkpoint_error.empty());
    const auto rows_a = RowsAfter(a, 0);

    train::Session b(QuietSessionOptions());
    const auto loaded = WaitForReply(b, b.LoadCheckpoint(half));
    REQUIRE(loaded->checkpoint_error.empty());
    CHECK(loaded->step == 200);
    CHECK(loaded->status == train::Status::Paused);
    WaitForReply(b, b.RunUntil(400));
    CHECK(WaitForReply(b, b.SaveCheckpoint(end_b))->checkpoint_error.empty());
    const auto rows_b = RowsAfter(b, 0); // the restored history (1..200), then 201..400

    REQUIRE(rows_a.size() == 400);
    REQUIRE(rows_b.size() == 400);
    for (const auto& [step, metrics] : rows_a)
    {
        INFO("step " << step);
        const auto& other = rows_b.at(step);
        REQUIRE(metrics.size() == other.size());
        for (std::size_t k = 0; k < metrics.size(); ++k)
        {
            CHECK(metrics[k].first == other[k].first);
            CHECK(SameBits(metrics[k].second, other[k].second));
        }
    }
    const auto sa = io::LoadCheckpointFile(end_a), sb = io::LoadCheckpointFile(end_b);
    for (std::size_t i = 0; i < sa.tensors.size(); ++i)
    {
        if (sa.tensors[i].name.rfind("param/", 0) == 0 || sa.tensors[i].name.rfind("optim/", 0) == 0)
        {
            INFO(sa.tensors[i].name);
            CHECK(sa.tensors[i].bytes == sb.Find(sa.tensors[i].name)->bytes);
        }
    }
}

TEST_CASE("Session: a corrupt or missing checkpoint is refused and the run continues")
{
    TempDir dir("ckpt_refuse");
    const std::string good = (dir.Path() / "good.ckpt").string(), bad = (dir.Path() / "bad.ckpt").string();
    train::Session s(QuietSessionOptions());
    WaitForReply(s, s.Load(TinyGan()));
    WaitForReply(s, s.RunUntil(20));
    REQUIRE(WaitForReply(s, s.SaveCheckpoint(good))->checkpoint_error.empty());
    std::vector<std::uint8_t> bytes = data::test::ReadBytes(good);
    bytes[bytes.size() / 2] ^= 0x01;
    data::test::WriteBytes(bad, bytes);

    WaitForReply(s, s.Start());
    const auto refused = WaitForReply(s, s.LoadCheckpoint(bad));
    CHECK(refused->checkpoint_error.find("checksum") != std::string::npos);
    CHECK(refused->command_error.find(bad) != std::string::npos);
    CHECK(refused->status == train::Status::Running);
    const auto later = s.WaitFor([&](const train::Snapshot& x) { return x.step > refused->step + 5; }, kDeadline);
    CHECK(later != nullptr); // still training
    const auto missing = WaitForReply(s, s.LoadCheckpoint((dir.Path() / "nope.ckpt").string()));
    CHECK(missing->checkpoint_error.find("cannot open") != std::string::npos);
    CHECK(missing->status == train::Status::Running);
}

TEST_CASE("Session: a huge learning rate diverges, rolls back to the last good state and pauses with a remedy")
{
    TempDir dir("ckpt_diverge");
    models::ExperimentConfig config; // a small Gaussian VAE on ring8, plain SGD
    config.name = "diverge";
    config.family = ll::models::Family::Vae;
    config.data.kind = ll::models::DataKind::Toy;
    config.data.toy = ll::data::ToyKind::Ring8;
    config.vae.likelihood = ll::models::Likelihood::Gaussian;
    config.vae.gaussian_sigma = 1.0; // gentle gradients: stable at lr 1e-3
    config.vae.latent_dim = 2;
    config.vae.encoder.hidden = {16};
    config.vae.decoder.hidden = {16};
    config.vae.opt.kind = nn::OptimizerKind::Sgd;
    config.vae.opt.learning_rate = 1e-3;
    config.batch_size = 32;
    config.eval_every = 0;
    auto options = QuietSessionOptions();
    options.rollback_every = 10;
    train::Session s(options);
    WaitForReply(s, s.Load(config));
    REQUIRE(WaitForReply(s, s.RunUntil(25))->step == 25);
    WaitForReply(s, s.SetHyper("lr", 9.0)); // near the allowed maximum, with plain SGD
    WaitForReply(s, s.Start());
    const auto diverged = s.WaitFor([](const train::Snapshot& x) { return x.status == train::Status::Diverged; }, kDeadline);
    REQUIRE(diverged != nullptr);
    INFO(diverged->message);
    CHECK(diverged->message.find("Diverged at step") == 0);
    CHECK(diverged->message.find("Rolled back to step") != std::string::npos);
    CHECK(diverged->message.find("Lower the learning rate") != std::string::npos);
    CHECK(diverged->rollback_step >= 20);
    CHECK(diverged->rollback_step % 10 == 0);
    CHECK(diverged->step == diverged->rollback_step);
    // The restored state is finite: it saves (a NaN parameter would be refused).
    const auto saved = WaitForReply(s, s.SaveCheckpoint((dir.Path() / "after.ckpt").string()));
    CHECK(saved->checkpoint_error.empty());
}
