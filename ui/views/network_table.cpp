// The network tables of the Experiment section (see network_table.h).
#include "ui/views/network_table.h"

#include "core/models/networks.h"
#include "ui/widgets/theme.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>

namespace ll::ui
{

namespace
{

const ImVec4 kRefused(1, 0.4f, 0.35f, 1);

std::string Megabytes(std::size_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f MB", static_cast<double>(bytes) / 1e6);
    return text;
}

std::string Number(double v)
{
    char text[32];
    std::snprintf(text, sizeof(text), v == std::floor(v) && std::abs(v) < 1e9 ? "%.0f" : "%g", v);
    return text;
}

// "1,025", "2,048", then "66.6K", "131K", "6.43M": the exact count is in the row's tooltip and the total below.
std::string ShortCount(nn::Index n)
{
    if (n < 10000)
    {
        return GroupDigits(n);
    }
    char text[32];
    if (n < 999500)
    {
        std::snprintf(text, sizeof(text), "%.3gK", static_cast<double>(n) / 1e3);
    }
    else
    {
        std::snprintf(text, sizeof(text), "%.3gM", static_cast<double>(n) / 1e6);
    }
    return text;
}

const models::NetConfig& NetOf(const models::ExperimentConfig& config, std::size_t i)
{
    if (config.family == models::Family::Gan)
    {
        return i == 0 ? config.gan.generator : config.gan.discriminator;
    }
    return i == 0 ? config.vae.encoder : config.vae.decoder;
}

// The layers of `plan` that summarise, longest prefix first (a refused list still shows what checks).
std::vector<nn::LayerSummary> CheckedPrefix(const models::NetworkPlan& plan)
{
    for (std::size_t n = plan.layers.size(); n > 0; --n)
    {
        try
        {
            const std::vector<nn::LayerSpec> prefix(plan.layers.begin(), plan.layers.begin() + n);
            return nn::SummarizeNetwork(plan.name, prefix, plan.input).layers;
        }
        catch (const std::exception&)
        {
        }
    }
    return {};
}

} // namespace

std::string GroupDigits(long long value)
{
    const std::string digits = std::to_string(value < 0 ? -value : value);
    std::string text;
    if (value < 0)
    {
        text.push_back('-');
    }
    for (std::size_t i = 0; i < digits.size(); ++i)
    {
        if (i > 0 && (digits.size() - i) % 3 == 0)
        {
            text.push_back(',');
        }
        text.push_back(digits[i]);
    }
    return text;
}

std::string CompactLayer(const nn::LayerSpec& spec)
{
    const nn::LayerKindInfo& info = spec.Info();
    std::string text = info.name;
    for (std::size_t i = 0; i < info.args.size() && i < spec.args.size(); ++i)
    {
        const nn::LayerArg& arg = info.args[i];
        const double v = spec.args[i];
        if (arg.size || (!arg.required && v == arg.default_value))
        {
            continue;
        }
        if (arg.type == nn::ArgType::Bool)
        {
            text += std::string(" ") + (v != 0.0 ? "+" : "-") + arg.name;
        }
        else
        {
            text += std::string(" ") + arg.name[0] + Number(v);
        }
    }
    return text;
}

std::vector<NetworkTable> TabulateNetworks(const models::ExperimentConfig& config)
{
    const nn::Shape data = models::GuessDataShape(config.data);
    const int classes = models::GuessNumClasses(config.data);
    std::vector<models::NetworkPlan> plans;
    try
    {
        plans = models::PlanNetworks(config, data, classes);
    }
    catch (const std::exception& e)
    {
        NetworkTable refused;
        refused.error = e.what();
        return {refused};
    }
    std::vector<NetworkTable> tables;
    for (std::size_t i = 0; i < plans.size(); ++i)
    {
        const models::NetworkPlan& plan = plans[i];
        NetworkTable t;
        t.name = plan.name;
        t.key = plan.key;
        t.input = plan.input;
        t.layers = plan.layers;
        t.short_form = NetOf(config, i).layers.empty();
        try
        {
            const nn::NetworkSummary summary = nn::SummarizeNetwork(plan.name, plan.layers, plan.input);
            t.rows = summary.layers;
            t.params = summary.params;
            nn::CheckOutputShape(summary, plan.output, plan.output_what);
            t.training_bytes = summary.TrainingBytes(std::max(1, config.batch_size));
        }
        catch (const std::exception& e)
        {
            t.error = e.what();
            if (t.rows.empty())
            {
                t.rows = CheckedPrefix(plan);
                t.params = 0;
                for (const nn::LayerSummary& row : t.rows)
                {
                    t.params += row.params;
                }
            }
        }
        // Validate's refusal of a BatchNorm critic under a per-example penalty, on D's table.
        if (t.error.empty() && config.family == models::Family::Gan && i == 1)
        {
            const int bn = models::FirstBatchNorm(plan.layers);
            const bool wgan_gp = config.gan.objective == models::GanObjective::WganGp;
            if (bn >= 0 && (wgan_gp || config.gan.r1_gamma > 0.0))
            {
                t.error = models::PenaltyWithBatchNormMessage(bn, wgan_gp);
            }
        }
        tables.push_back(std::move(t));
    }
    return tables;
}

bool DrawNetworkTable(std::size_t network, const NetworkTable& table, std::vector<nn::LayerSpec>* layers,
                      std::vector<SizeCell>* cells)
{
    bool changed = false;
    const ImGuiTableFlags flags = ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_BordersOuterH;
    ImGui::PushID(static_cast<int>(network));
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(2, 0)); // input cells as tall as a text row
    ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(3, 1));
    // Four columns fit the 300-pixel panel: a layer's arguments go on a second line, and its size (features or
    // channels: always the first number of its output shape) is edited inside the output cell.
    // At 90% of the panel's font the widest rows (conv_transpose, 64x14x14, 6.43M) fit the panel's 300 pixels.
    ImGui::SetWindowFontScale(0.9f);
    if (ImGui::BeginTable("##network", 4, flags))
    {
        ImGui::TableSetupColumn("#");
        ImGui::TableSetupColumn("layer");
        ImGui::TableSetupColumn("output");
        ImGui::TableSetupColumn("params", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableHeadersRow();
        for (std::size_t i = 0; i < table.layers.size(); ++i)
        {
            const nn::LayerSpec& spec = table.layers[i];
            const nn::LayerKindInfo& info = spec.Info();
            const bool checked = i < table.rows.size();
            const bool refused = !checked && i == table.rows.size();
            ImGui::TableNextRow();
            if (refused)
            {
                ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, ImGui::GetColorU32(ImVec4(0.45f, 0.12f, 0.1f, 1)));
            }
            ImGui::TableNextColumn();
            ImGui::TextDisabled("%zu", i);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(info.name);
            const std::string compact = CompactLayer(spec);
            const bool hovered = ImGui::IsItemHovered();
            bool hovered_args = false;
            if (compact.size() > std::char_traits<char>::length(info.name))
            {
                ImGui::TextDisabled("%s", compact.c_str() + std::char_traits<char>::length(info.name) + 1);
                hovered_args = ImGui::IsItemHovered();
            }
            if (hovered || hovered_args)
            {
                ImGui::BeginTooltip();
                ImGui::Text("%s layer %zu: %s", table.name.c_str(), i, nn::DescribeLayer(spec).c_str());
                if (checked)
                {
                    const nn::LayerSummary& row = table.rows[i];
                    ImGui::Text("input %s -> output %s, %s parameters", row.input.Text().c_str(),
                                row.output.Text().c_str(), GroupDigits(row.params).c_str());
                }
                ImGui::TextDisabled("%s", info.help);
                ImGui::EndTooltip();
            }
            ImGui::TableNextColumn();
            // The size argument (out, or reshape's c) as an input field, then the rest of the output shape.
            bool edited_size = false;
            for (std::size_t a = 0; a < info.args.size() && a < spec.args.size() && layers != nullptr; ++a)
            {
                const nn::LayerArg& arg = info.args[a];
                if (!arg.size)
                {
                    continue;
                }
                long long v = std::llround(spec.args[a]);
                ImGui::PushID(static_cast<int>(i * 16 + a));
                // As wide as its value (two digits at least), so the rest of the shape follows it closely.
                const std::string digits = std::to_string(std::max(v, 10LL));
                ImGui::SetNextItemWidth(ImGui::CalcTextSize(digits.c_str()).x + 5);
                if (ImGui::InputScalar("##size", ImGuiDataType_S64, &v))
                {
                    v = std::clamp(v, static_cast<long long>(arg.min), static_cast<long long>(arg.max));
                    (*layers)[i].args[a] = static_cast<double>(v);
                    changed = true;
                }
                if (cells != nullptr)
                {
                    cells->push_back({network, i, a, ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
                }
                ItemTooltip(arg.help);
                ImGui::PopID();
                edited_size = true;
            }
            if (checked)
            {
                const nn::Shape& out = table.rows[i].output;
                if (edited_size)
                {
                    if (!out.IsFlat())
                    {
                        ImGui::SameLine(0, 0);
                        ImGui::Text("x%lldx%lld", static_cast<long long>(out.h), static_cast<long long>(out.w));
                    }
                }
                else
                {
                    ImGui::TextUnformatted(out.Text().c_str());
                }
                ImGui::TableNextColumn();
                if (table.rows[i].params > 0)
                {
                    ImGui::TextUnformatted(ShortCount(table.rows[i].params).c_str());
                }
            }
            else
            {
                if (edited_size)
                {
                    ImGui::SameLine();
                }
                ImGui::TextColored(kRefused, refused ? "refused" : "-");
                ImGui::TableNextColumn();
            }
        }
        ImGui::EndTable();
    }
    ImGui::SetWindowFontScale(1.0f);
    ImGui::PopStyleVar(2);
    if (table.error.empty())
    {
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("input %s, %s parameters, %s to train", table.input.Text().c_str(),
                           GroupDigits(table.params).c_str(), Megabytes(table.training_bytes).c_str());
        ImGui::PopStyleColor();
    }
    else
    {
        ImGui::PushStyleColor(ImGuiCol_Text, kRefused);
        ImGui::TextWrapped("%s", table.error.c_str());
        ImGui::PopStyleColor();
    }
    ImGui::PopID();
    return changed;
}

} // namespace ll::ui
