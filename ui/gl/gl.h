// The one place ui/ and app/ get OpenGL declarations from. Debian's libGL (GLVND) exports every OpenGL 3.3 entry
// point directly, so the prototypes from glext.h link without a loader: textures and glReadPixels (GL 1.1), and the
// shaders, buffers and vertex arrays of ui::GlRenderer. ImGui's OpenGL3 backend loads what it needs itself.
#pragma once

#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/gl.h>
#include <GL/glext.h>
