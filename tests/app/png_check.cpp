// latentlab_png_check FILE WIDTH HEIGHT: exits 0 when FILE is a PNG of that size that is not one flat colour
// (at least a few hundred distinct colours and a spread of brightness), so a blank or black window fails.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wshadow"
#endif
#include <stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include <cstdio>
#include <cstdlib>
#include <unordered_set>

int main(int argc, char** argv)
{
    if (argc != 4)
    {
        std::fprintf(stderr, "usage: %s FILE WIDTH HEIGHT\n", argv[0]);
        return 2;
    }
    const int want_w = std::atoi(argv[2]), want_h = std::atoi(argv[3]);
    int w = 0, h = 0, channels = 0;
    unsigned char* pixels = stbi_load(argv[1], &w, &h, &channels, 4);
    if (pixels == nullptr)
    {
        std::fprintf(stderr, "cannot read '%s' as PNG: %s\n", argv[1], stbi_failure_reason());
        return 1;
    }
    int status = 0;
    if (w != want_w || h != want_h)
    {
        std::fprintf(stderr, "'%s' is %dx%d, expected %dx%d\n", argv[1], w, h, want_w, want_h);
        status = 1;
    }
    std::unordered_set<unsigned> colours;
    int darkest = 255, brightest = 0;
    for (long i = 0; i < static_cast<long>(w) * h; ++i)
    {
        const unsigned char* p = pixels + i * 4;
        colours.insert(p[0] | (p[1] << 8) | (p[2] << 16));
        const int luma = (p[0] * 3 + p[1] * 6 + p[2]) / 10;
        darkest = luma < darkest ? luma : darkest;
        brightest = luma > brightest ? luma : brightest;
    }
    stbi_image_free(pixels);
    std::printf("'%s': %dx%d, %zu distinct colours, brightness %d..%d\n", argv[1], w, h, colours.size(), darkest,
                brightest);
    if (colours.size() < 100 || brightest - darkest < 100)
    {
        std::fprintf(stderr, "'%s' looks flat: too few colours or too little contrast\n", argv[1]);
        status = 1;
    }
    return status;
}
