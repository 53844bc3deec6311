// placeholder: filled by its module's work
#include <doctest/doctest.h>
