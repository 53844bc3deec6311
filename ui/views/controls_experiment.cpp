// The control panel's settings that apply on reset: data, family, objective, architecture (templates, each network's
// table with its sizes editable), optimizers, seed (see controls_panel.h). Edits a pending ExperimentConfig;
// ApplyPending validates and loads it, and a refusal leaves the running experiment as it is.
#include "ui/views/controls_panel.h"

#include "core/data/toy2d.h"
#include "core/models/network_templates.h"
#include "ui/views/network_table.h"
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

bool ControlsPanel::NetworkEditor(const char* id, std::size_t index, models::NetConfig& net, std::string& hidden_text,
                                  const char* tooltip)
{
    bool changed = false;
    ImGui::PushID(id);
    const NetworkTable* table = index < m_tables.size() && !m_tables[index].name.empty() ? &m_tables[index] : nullptr;
    std::string title = id; // "Generator (G): 6,642,241 parameters"
    if (table != nullptr)
    {
        if (table->name.size() <= 1) // "Generator (G)"; "Encoder" needs no "(encoder)"
        {
            title += " (";
            title += table->name;
            title += ")";
        }
        title += ": ";
        title += table->error.empty() ? GroupDigits(table->params) + " parameters" : std::string("refused");
    }
    // No indent under the node: the table needs the panel's whole width.
    const bool open = ImGui::TreeNodeEx("##network", ImGuiTreeNodeFlags_DefaultOpen |
                                        ImGuiTreeNodeFlags_NoTreePushOnOpen, "%s", title.c_str());
    ItemTooltip(net.layers.empty() ? tooltip
                                   : "A layer list: each layer's output shape and parameters; edit the sizes "
                                     "(features, channels) in place. A size that breaks a shape is refused with "
                                     "the reason, and the running experiment goes on.");
    if (!open)
    {
        ImGui::PopID();
        return false;
    }
    if (net.layers.empty())
    {
        // The MLP short form: widths as text; the table below shows what they build.
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
    }
    if (table != nullptr)
    {
        changed |= DrawNetworkTable(index, *table, net.layers.empty() ? nullptr : &net.layers, &m_size_cells);
    }
    changed |= EnumCombo("init", net.init);
    ItemTooltip("How the weights start: auto (He for ReLU-like layers, else Xavier), he, xavier, or torch "
                "(PyTorch's default, uniform within 1/sqrt(inputs)).");
    ImGui::PopID();
    return changed;
}

bool ControlsPanel::TemplatePicker(models::ExperimentConfig& c)
{
    const std::vector<models::NetworkTemplate>& templates = models::NetworkTemplates();
    const nn::Shape data = models::GuessDataShape(c.data);
    const auto fits = [&](std::size_t i) { return models::TemplateRefusal(templates[i], c.family, data, 0).empty(); };
    if (m_template_for != m_tables_generation)
    {
        // Show the template and knob the pending networks were built from, when there is one.
        m_template_for = m_tables_generation;
        const models::TemplateMatch match = models::MatchTemplate(c);
        if (match.t != nullptr)
        {
            m_template = static_cast<std::size_t>(match.t - templates.data());
            m_template_width = match.width;
        }
    }
    if (m_template >= templates.size() || !fits(m_template))
    {
        m_template = 0;
        while (m_template + 1 < templates.size() && !fits(m_template))
        {
            ++m_template;
        }
        m_template_width = 0;
    }
    const models::NetworkTemplate& chosen = templates[m_template];
    if (ImGui::BeginCombo("architecture", chosen.label))
    {
        for (std::size_t i = 0; i < templates.size(); ++i)
        {
            const models::NetworkTemplate& t = templates[i];
            if (c.family == models::Family::Gan ? !t.gan : !t.vae)
            {
                continue;
            }
            const std::string why = models::TemplateRefusal(t, c.family, data, 0);
            if (ImGui::Selectable(t.label, i == m_template, why.empty() ? 0 : ImGuiSelectableFlags_Disabled))
            {
                m_template = i;
                m_template_width = 0;
            }
            if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
            {
                ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 26, 0));
                ImGui::BeginTooltip();
                ImGui::TextWrapped("%s", why.empty() ? t.help : why.c_str());
                ImGui::EndTooltip();
            }
        }
        ImGui::EndCombo();
    }
    ItemTooltip("Architecture templates (MLP, DCGAN, conv encoder / decoder), built for this data's shape and the "
                "latent size. Use template replaces both networks' layers; Apply trains them.");
    int width = m_template_width == 0 ? chosen.default_width : m_template_width;
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("00000").x + 2 * ImGui::GetStyle().FramePadding.x);
    if (ImGui::InputInt(chosen.knob, &width, 0, 0))
    {
        m_template_width = std::clamp(width, chosen.min_width, chosen.max_width);
    }
    ItemTooltip(chosen.help);
    ImGui::SameLine();
    bool used = false;
    if (ImGui::Button("Use template"))
    {
        try
        {
            models::ApplyTemplate(c, chosen, width);
            m_template_error.clear();
            used = true;
        }
        catch (const std::exception& e)
        {
            m_template_error = e.what();
        }
    }
    ItemTooltip("Replace both networks with the template's layers, sized by the number beside it.");
    if (!m_template_error.empty())
    {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.4f, 0.35f, 1));
        ImGui::TextWrapped("%s", m_template_error.c_str());
        ImGui::PopStyleColor();
    }
    return used;
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
    if (!m_tables_valid || !(m_tables_for == c))
    {
        m_tables = TabulateNetworks(c);
        m_tables_for = c;
        m_tables_valid = true;
        ++m_tables_generation;
    }
    m_size_cells.clear();
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
        changed |= TemplatePicker(c);
        changed |= NetworkEditor("Generator", 0, c.gan.generator, m_hidden_text[0],
                                 "Hidden layer widths of G, input to output, e.g. 256,512.");
        changed |= OptimizerCombo("G optimizer", c.gan.g_opt);
        ItemTooltip("The update rule of the generator (its learning rate is a live setting).");
        changed |= NetworkEditor("Discriminator", 1, c.gan.discriminator, m_hidden_text[1],
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
        changed |= TemplatePicker(c);
        changed |= NetworkEditor("Encoder", 0, c.vae.encoder, m_hidden_text[0],
                                 "Hidden layer widths of the encoder, input to code, e.g. 512,256.");
        changed |= NetworkEditor("Decoder", 1, c.vae.decoder, m_hidden_text[1],
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
