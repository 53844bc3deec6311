// ImGui draw data -> OpenGL 3.3 core, solid fills and opaque images unblended (see gl_renderer.h). The structure
// follows ImGui's own OpenGL3 backend (orthographic projection over the display, one upload per draw list, scissor
// per command).
#include "ui/gl/gl_renderer.h"

#include "ui/gl/gl.h"
#include "ui/gl/texture.h"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace ll::ui
{

namespace
{

// Smallest solid run worth its own draw call, in pixels: about a 40x40 square. A lab frame's backgrounds, plot areas
// and bars are far larger; checkboxes and slider grabs stay in the blended run around them.
constexpr float kMinSolidArea = 1600.0f;

constexpr const char* kVertexShader = R"(#version 330 core
layout (location = 0) in vec2 Position;
layout (location = 1) in vec2 UV;
layout (location = 2) in vec4 Color;
uniform mat4 ProjMtx;
out vec2 Frag_UV;
out vec4 Frag_Color;
void main()
{
    Frag_UV = UV;
    Frag_Color = Color;
    gl_Position = ProjMtx * vec4(Position.xy, 0, 1);
}
)";

constexpr const char* kTexturedFragment = R"(#version 330 core
in vec2 Frag_UV;
in vec4 Frag_Color;
uniform sampler2D Texture;
layout (location = 0) out vec4 Out_Color;
void main()
{
    Out_Color = Frag_Color * texture(Texture, Frag_UV.st);
}
)";

constexpr const char* kSolidFragment = R"(#version 330 core
in vec2 Frag_UV;
in vec4 Frag_Color;
layout (location = 0) out vec4 Out_Color;
void main()
{
    Out_Color = Frag_Color;
}
)";

// The driver's message for a shader that did not compile or a program that did not link.
std::string InfoLog(GLuint object, bool program)
{
    char log[1024] = {};
    if (program)
    {
        glGetProgramInfoLog(object, sizeof(log), nullptr, log);
    }
    else
    {
        glGetShaderInfoLog(object, sizeof(log), nullptr, log);
    }
    return log;
}

GLuint Compile(GLenum kind, const char* source, const char* what)
{
    const GLuint shader = glCreateShader(kind);
    glShaderSource(shader, 1, &source, nullptr);
    glCompileShader(shader);
    GLint ok = GL_FALSE;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (ok != GL_TRUE)
    {
        const std::string log = InfoLog(shader, false);
        glDeleteShader(shader);
        throw std::runtime_error(std::string("the UI's ") + what + " shader does not compile: " + log);
    }
    return shader;
}

GLuint Link(const char* fragment, const char* what)
{
    const GLuint vs = Compile(GL_VERTEX_SHADER, kVertexShader, "vertex");
    GLuint fs = 0;
    try
    {
        fs = Compile(GL_FRAGMENT_SHADER, fragment, what);
    }
    catch (...)
    {
        glDeleteShader(vs);
        throw;
    }
    const GLuint program = glCreateProgram();
    glAttachShader(program, vs);
    glAttachShader(program, fs);
    glLinkProgram(program);
    glDetachShader(program, vs);
    glDetachShader(program, fs);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = GL_FALSE;
    glGetProgramiv(program, GL_LINK_STATUS, &ok);
    if (ok != GL_TRUE)
    {
        const std::string log = InfoLog(program, true);
        glDeleteProgram(program);
        throw std::runtime_error(std::string("the UI's ") + what + " program does not link: " + log);
    }
    return program;
}

// True when every vertex `cmd` draws has alpha 255.
bool OpaqueVertices(const ImDrawList& list, const ImDrawCmd& cmd)
{
    const ImDrawIdx* idx = list.IdxBuffer.Data + cmd.IdxOffset;
    const ImDrawVert* vtx = list.VtxBuffer.Data + cmd.VtxOffset;
    for (unsigned i = 0; i < cmd.ElemCount; ++i)
    {
        if ((vtx[idx[i]].col & IM_COL32_A_MASK) != IM_COL32_A_MASK)
        {
            return false;
        }
    }
    return true;
}

} // namespace

namespace
{
GlRenderer* g_active = nullptr; // the instance registered as ImGui's renderer (main thread only)
} // namespace

GlRenderer* GlRenderer::Active() { return g_active; }

GlRenderer::GlRenderer()
{
    m_textured = Link(kTexturedFragment, "textured");
    try
    {
        m_solid = Link(kSolidFragment, "solid");
    }
    catch (...)
    {
        glDeleteProgram(m_textured);
        throw;
    }
    m_textured_proj = glGetUniformLocation(m_textured, "ProjMtx");
    m_textured_tex = glGetUniformLocation(m_textured, "Texture");
    m_solid_proj = glGetUniformLocation(m_solid, "ProjMtx");

    glGenVertexArrays(1, &m_vao);
    glGenBuffers(1, &m_vbo);
    glGenBuffers(1, &m_ebo);
    glBindVertexArray(m_vao);
    glBindBuffer(GL_ARRAY_BUFFER, m_vbo);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, m_ebo); // part of the VAO's state
    glEnableVertexAttribArray(0);
    glEnableVertexAttribArray(1);
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, sizeof(ImDrawVert),
                          reinterpret_cast<const void*>(offsetof(ImDrawVert, pos)));
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, sizeof(ImDrawVert),
                          reinterpret_cast<const void*>(offsetof(ImDrawVert, uv)));
    glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, sizeof(ImDrawVert),
                          reinterpret_cast<const void*>(offsetof(ImDrawVert, col)));
    glBindVertexArray(0);

    // The font atlas, filtered linearly: the theme scales glyphs to the display.
    ImGuiIO& io = ImGui::GetIO();
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
    glGenTextures(1, &m_font);
    glBindTexture(GL_TEXTURE_2D, m_font);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    glBindTexture(GL_TEXTURE_2D, 0);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(m_font)));

    io.BackendRendererName = "latentlab_gl3";
    g_active = this;
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset; // glDrawElementsBaseVertex
}

GlRenderer::~GlRenderer()
{
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->SetTexID(nullptr);
    io.BackendRendererName = nullptr;
    g_active = g_active == this ? nullptr : g_active;
    io.BackendFlags &= ~ImGuiBackendFlags_RendererHasVtxOffset;
    glDeleteTextures(1, &m_font);
    glDeleteBuffers(1, &m_ebo);
    glDeleteBuffers(1, &m_vbo);
    glDeleteVertexArrays(1, &m_vao);
    glDeleteProgram(m_solid);
    glDeleteProgram(m_textured);
}

void GlRenderer::SetupState(const ImDrawData* data, int fb_width, int fb_height)
{
    glEnable(GL_BLEND);
    glBlendEquation(GL_FUNC_ADD);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glDisable(GL_CULL_FACE);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_STENCIL_TEST);
    glEnable(GL_SCISSOR_TEST);
    glPolygonMode(GL_FRONT_AND_BACK, GL_FILL);
    glViewport(0, 0, fb_width, fb_height);

    // Display coordinates (top left = DisplayPos) to clip space, y down.
    const float l = data->DisplayPos.x;
    const float r = data->DisplayPos.x + data->DisplaySize.x;
    const float t = data->DisplayPos.y;
    const float b = data->DisplayPos.y + data->DisplaySize.y;
    const float ortho[4][4] = {
        {2.0f / (r - l), 0.0f, 0.0f, 0.0f},
        {0.0f, 2.0f / (t - b), 0.0f, 0.0f},
        {0.0f, 0.0f, -1.0f, 0.0f},
        {(r + l) / (l - r), (t + b) / (b - t), 0.0f, 1.0f},
    };
    glUseProgram(m_solid);
    glUniformMatrix4fv(m_solid_proj, 1, GL_FALSE, &ortho[0][0]);
    glUseProgram(m_textured);
    glUniform1i(m_textured_tex, 0);
    glUniformMatrix4fv(m_textured_proj, 1, GL_FALSE, &ortho[0][0]);
    glActiveTexture(GL_TEXTURE0);
    glBindVertexArray(m_vao);
    glBindBuffer(GL_ARRAY_BUFFER, m_vbo); // not part of the VAO's state: other code may have bound another
}

void GlRenderer::Render(const ImDrawData* data)
{
    m_stats = Stats{};
    const int fb_width = static_cast<int>(data->DisplaySize.x * data->FramebufferScale.x);
    const int fb_height = static_cast<int>(data->DisplaySize.y * data->FramebufferScale.y);
    if (fb_width <= 0 || fb_height <= 0)
    {
        return;
    }
    SetupState(data, fb_width, fb_height);
    bool solid_bound = false; // which program is in use (the textured one after SetupState)
    bool blend_on = true;     // and whether blending is (SetupState enables it)
    const ImTextureID font = ImGui::GetIO().Fonts->TexID;
    const ImVec2 white = ImGui::GetIO().Fonts->TexUvWhitePixel;
    const ImVec2 clip_off = data->DisplayPos;
    const ImVec2 clip_scale = data->FramebufferScale;
    constexpr GLenum kIndexType = sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT;

    for (int n = 0; n < data->CmdListsCount; ++n)
    {
        const ImDrawList* list = data->CmdLists[n];
        glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(list->VtxBuffer.Size) * sizeof(ImDrawVert),
                     list->VtxBuffer.Data, GL_STREAM_DRAW);
        glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(list->IdxBuffer.Size) * sizeof(ImDrawIdx),
                     list->IdxBuffer.Data, GL_STREAM_DRAW);
        for (const ImDrawCmd& cmd : list->CmdBuffer)
        {
            if (cmd.UserCallback != nullptr)
            {
                if (cmd.UserCallback == ImDrawCallback_ResetRenderState)
                {
                    SetupState(data, fb_width, fb_height);
                    solid_bound = false;
                    blend_on = true;
                }
                else
                {
                    cmd.UserCallback(list, &cmd);
                }
                continue;
            }
            const ImVec2 lo((cmd.ClipRect.x - clip_off.x) * clip_scale.x, (cmd.ClipRect.y - clip_off.y) * clip_scale.y);
            const ImVec2 hi((cmd.ClipRect.z - clip_off.x) * clip_scale.x, (cmd.ClipRect.w - clip_off.y) * clip_scale.y);
            if (hi.x <= lo.x || hi.y <= lo.y)
            {
                continue;
            }
            glScissor(static_cast<GLint>(lo.x), static_cast<GLint>(fb_height - hi.y),
                      static_cast<GLsizei>(hi.x - lo.x), static_cast<GLsizei>(hi.y - lo.y));
            glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(reinterpret_cast<std::intptr_t>(cmd.GetTexID())));
            // Images of an opaque texture in an opaque colour (sample grids, the 2-D view's field) need no
            // blending either: the textured program, with the framebuffer left unread.
            bool opaque_image = false;
            if (cmd.GetTexID() == font)
            {
                SplitDrawRuns(*list, cmd.IdxOffset, cmd.ElemCount, cmd.VtxOffset, white, kMinSolidArea, m_runs);
            }
            else
            {
                m_runs.assign(1, DrawRun{cmd.IdxOffset, cmd.ElemCount, false});
                opaque_image = TextureIsOpaque(cmd.GetTexID()) && OpaqueVertices(*list, cmd);
            }
            for (const DrawRun& run : m_runs)
            {
                if (run.solid != solid_bound)
                {
                    solid_bound = run.solid;
                    glUseProgram(solid_bound ? m_solid : m_textured);
                }
                const bool blend = !run.solid && !opaque_image;
                if (blend != blend_on)
                {
                    blend_on = blend;
                    blend_on ? glEnable(GL_BLEND) : glDisable(GL_BLEND);
                }
                glDrawElementsBaseVertex(GL_TRIANGLES, static_cast<GLsizei>(run.count), kIndexType,
                                         reinterpret_cast<const void*>(run.first * sizeof(ImDrawIdx)),
                                         static_cast<GLint>(cmd.VtxOffset));
                ++m_stats.draw_calls;
                m_stats.solid_draw_calls += run.solid ? 1 : 0;
                m_stats.opaque_image_draw_calls += opaque_image ? 1 : 0;
            }
        }
    }
    glBindVertexArray(0);
    glUseProgram(0);
    glDisable(GL_SCISSOR_TEST);
}

} // namespace ll::ui
