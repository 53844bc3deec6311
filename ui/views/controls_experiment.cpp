// The control panel's settings that apply on reset: data, family, objective, architecture, optimizers, seed
// (see controls_panel.h). Edits a pending ExperimentConfig; ApplyPending validates and loads it.
#include "ui/views/controls_panel.h"

#include "core/data/toy2d.h"
#include "ui/widgets/theme.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <sstream>

namespace ll::ui
{

namespace controls_detail
{

std::string JoinWidths(const std::vector<int>& widths)
{
    std::string text;
    for (std::size_t i = 0; i < widths.size(); ++i)
    {
        text += (i ? "," : "") + std::to_string(widths[i]);
    }
    return text;
}

// "512, 256" -> {512, 256}; false on anything that is not a comma-separated list of positive integers.
bool ParseWidths(const std::string& text, std::vector<int>& out)
{
    std::vector<int> widths;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
    {
        const auto first = item.find_first_not_of(" \t");
        if (first == std::string::npos)
        {
            return false;
        }
        char* end = nullptr;
        const long v = std::strtol(item.c_str() + first, &end, 10);
        if (v <= 0 || v > 100000 || end == item.c_str() + first || std::string(end).find_first_not_of(" \t") !=
                                                                          std::string::npos)
        {
            return false;
        }
        widths.push_back(static_cast<int>(v));
    }
    out = widths;
    return true;
}

bool Combo(const char* label, std::string& value, const std::vector<std::string>& items)
{
    bool changed = false;
    if (ImGui::BeginCombo(label, value.c_str()))
    {
        for (const std::string& item : items)
        {
            if (ImGui::Selectable(item.c_str(), item == value))
            {
                changed = item != value;
                value = item;
            }
        }
        ImGui::EndCombo();
    }
    return changed;
}

} // namespace controls_detail

using controls_detail::Combo;
using controls_detail::EnumCombo;
using controls_detail::JoinWidths;
using controls_detail::ParseWidths;

bool ControlsPanel::OptimizerCombo(const char* label, nn::OptimizerConfig& opt)
{
    return EnumCombo(label, opt.kind);
}

bool ControlsPanel::NetworkEditor(const char* id, models::NetConfig& net, std::string& hidden_text,
                                  const char* tooltip)
{
    bool changed = false;
    ImGui::PushID(id);
    ImGui::TextUnformatted(id);
    char buffer[128];
    std::snprintf(buffer, sizeof(buffer), "%s", hidden_text.c_str());
    if (ImGui::InputText("hidden widths", buffer, sizeof(buffer)))
    {
        hidden_text = buffer;
        std::vector<int> widths;
        if (ParseWidths(hidden_text, widths))
        {
            net.hidden = widths;
            changed = true;
        }
    }
    ItemTooltip(tooltip);
    std::vector<int> parsed;
    if (!ParseWidths(hidden_text, parsed))
    {
        ImGui::TextColored(ImVec4(1, 0.4f, 0.35f, 1), "widths: positive integers separated by commas");
    }
    changed |= EnumCombo("activation", net.activation, &models::IsHiddenActivation);
    ItemTooltip("The non-linearity after each hidden layer.");
    changed |= EnumCombo("init", net.init);
    ItemTooltip("How the weights start: auto (He for ReLU-like layers, else Xavier), he, xavier, or torch "
                "(PyTorch's default, uniform within 1/sqrt(inputs)).");
    ImGui::PopID();
    return changed;
}

bool ControlsPanel::OnResetInputs(models::ExperimentConfig& c)
{
    bool changed = false;
    for (const models::Hyperparam& h : models::Hyperparams())
    {
        if (h.Live() || *h.label == '\0' || !models::ActsOn(h, c))
        {
            continue;
        }
        if (h.Integer())
        {
            long long v = std::llround(models::GetHyper(h, c));
            if (ImGui::InputScalar(h.label, ImGuiDataType_S64, &v))
            {
                models::PutHyper(h, c, static_cast<double>(v));
                changed = true;
            }
        }
        else
        {
            double v = models::GetHyper(h, c);
            if (ImGui::InputDouble(h.label, &v, 0.0, 0.0, "%.4g"))
            {
                models::PutHyper(h, c, v);
                changed = true;
            }
        }
        if (ImGui::IsItemHovered())
        {
            ImGui::SetTooltip("%s (applies on reset; allowed %s)", h.tooltip, h.RangeText().c_str());
        }
    }
    return changed;
}

void ControlsPanel::DrawResetSettings(LabContext& ctx)
{
    if (!ImGui::CollapsingHeader("Experiment (applies on reset)", ImGuiTreeNodeFlags_DefaultOpen))
    {
        return;
    }
    bool changed = false;
    models::ExperimentConfig& c = m_pending;
    // One list: Fashion-MNIST (or the kind in force) and the built-in toys.
    const bool toy = c.data.kind == models::DataKind::Toy;
    const std::string& fashion = util::NameOf(models::DataKind::FashionMnist);
    std::string data_name = toy ? data::ToyName(c.data.toy) : util::NameOf(c.data.kind);
    std::vector<std::string> data_items{fashion};
    for (const std::string& t : data::ToyNames())
    {
        data_items.push_back(t);
    }
    if (Combo("data set", data_name, data_items))
    {
        c.data.kind = data_name == fashion ? models::DataKind::FashionMnist : models::DataKind::Toy;
        if (data_name != fashion)
        {
            c.data.toy = data::ParseToy(data_name);
        }
        changed = true;
    }
    ItemTooltip("Fashion-MNIST images, or a 2-D toy distribution the 2-D view can show whole.");
    const models::Family old_family = c.family;
    changed |= EnumCombo("model family", c.family);
    ItemTooltip("VAE (encoder + decoder, trained on the ELBO) or GAN (generator against discriminator).");
    const bool gan = c.family == models::Family::Gan;
    if (c.family != old_family)
    {
        m_hidden_text[0] = JoinWidths(gan ? c.gan.generator.hidden : c.vae.encoder.hidden);
        m_hidden_text[1] = JoinWidths(gan ? c.gan.discriminator.hidden : c.vae.decoder.hidden);
    }
    if (gan)
    {
        changed |= EnumCombo("objective", c.gan.objective);
        ItemTooltip("The game D and G play: the formula beside the plots shows the one in force.");
        changed |= NetworkEditor("Generator", c.gan.generator, m_hidden_text[0],
                                 "Hidden layer widths of G, input to output, e.g. 256,512.");
        changed |= OptimizerCombo("G optimizer", c.gan.g_opt);
        ItemTooltip("The update rule of the generator (its learning rate is a live setting).");
        changed |= NetworkEditor("Discriminator", c.gan.discriminator, m_hidden_text[1],
                                 "Hidden layer widths of D, input to output, e.g. 512,256.");
        changed |= ImGui::Checkbox("spectral norm on D", &c.gan.discriminator.spectral_norm);
        ItemTooltip("Normalise each D layer by its largest singular value (keeps D 1-Lipschitz-ish).");
        changed |= OptimizerCombo("D optimizer", c.gan.d_opt);
        ItemTooltip("The update rule of the discriminator (its learning rate is a live setting).");
        changed |= ImGui::Checkbox("conditional", &c.gan.conditional);
        ItemTooltip("Give G and D the class label, so you choose which class to draw.");
    }
    else
    {
        changed |= EnumCombo("likelihood", c.vae.likelihood);
        ItemTooltip("How the decoder scores a pixel: Bernoulli for images in [0, 1], Gaussian for 2-D data.");
        changed |= NetworkEditor("Encoder", c.vae.encoder, m_hidden_text[0],
                                 "Hidden layer widths of the encoder, input to code, e.g. 512,256.");
        changed |= NetworkEditor("Decoder", c.vae.decoder, m_hidden_text[1],
                                 "Hidden layer widths of the decoder, code to output, e.g. 256,512.");
        changed |= OptimizerCombo("optimizer", c.vae.opt);
        ItemTooltip("The update rule (its learning rate is a live setting).");
        changed |= ImGui::Checkbox("conditional", &c.vae.conditional);
        ItemTooltip("Give encoder and decoder the class label, so the code holds only the style.");
    }
    changed |= OnResetInputs(c);
    int seed = static_cast<int>(c.seed);
    if (ImGui::InputInt("seed", &seed))
    {
        c.seed = static_cast<std::uint64_t>(std::max(0, seed));
        changed = true;
    }
    ItemTooltip("Seeds every random draw: the same seed and settings give the same run.");
    if (changed)
    {
        m_dirty = true;
        m_apply_error.clear();
    }
    if (m_dirty)
    {
        ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "Changed settings apply on reset.");
        if (ImGui::Button("Apply and reset"))
        {
            ApplyPending(ctx);
        }
        ItemTooltip("Check the settings and rebuild the experiment from step 0 (key: R).");
        ImGui::SameLine();
        if (ImGui::Button("Discard"))
        {
            m_dirty = false;
            m_synced_from.reset();
            m_apply_error.clear();
        }
        ItemTooltip("Forget the changed settings and show the ones in force.");
    }
    if (!m_apply_error.empty())
    {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.4f, 0.35f, 1));
        ImGui::TextWrapped("Not applied: %s", m_apply_error.c_str());
        ImGui::PopStyleColor();
    }
}

} // namespace ll::ui
