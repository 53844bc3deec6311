// The one place ui/ gets OpenGL declarations from. We only call OpenGL 1.1 entry points (textures, glReadPixels),
// which libGL exports directly, so no loader is needed; ImGui's OpenGL3 backend loads what it needs itself.
#pragma once

#include <GL/gl.h>
