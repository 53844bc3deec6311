// Code agreement: purity and the best one-to-one matching on hand-counted tables, collapse caught by the matching,
// unlabelled samples counting against both, nearest modes of 2-D points.
#include "core/eval/code_agreement.h"

#include <doctest/doctest.h>

#include <limits>

using ll::eval::CodeAgreement;
using ll::eval::MeasureCodeAgreement;

TEST_CASE("Code agreement: purity and best matching of a hand-counted table")
{
    // code 0 -> labels 1, 1, 1, 0; code 1 -> labels 0, 0, 2; code 2 -> labels 2, 2, 1.
    const std::vector<int> codes = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
    const std::vector<int> labels = {1, 1, 1, 0, 0, 0, 2, 2, 2, 1};
    const CodeAgreement a = MeasureCodeAgreement(codes, 3, labels, 3);
    CHECK(a.purity == doctest::Approx(7.0 / 10.0)); // 3 + 2 + 2 on the majority labels
    CHECK(a.match == doctest::Approx(7.0 / 10.0));  // 0 -> 1, 1 -> 0, 2 -> 2
    CHECK(a.distinct == 3);
}

TEST_CASE("Code agreement: a code that collapsed onto one label is pure but matches poorly")
{
    // Every code value's samples on label 0: purity 1, but only one value can be matched to label 0.
    const std::vector<int> codes = {0, 0, 1, 1, 2, 2, 3, 3};
    const std::vector<int> labels(8, 0);
    const CodeAgreement a = MeasureCodeAgreement(codes, 4, labels, 4);
    CHECK(a.purity == doctest::Approx(1.0));
    CHECK(a.match == doctest::Approx(2.0 / 8.0));
    CHECK(a.distinct == 1);
}

TEST_CASE("Code agreement: more code values than labels, and unlabelled samples count against both")
{
    // 3 values onto 2 labels: the best matching uses two of them; the -1 sample is on no label.
    const std::vector<int> codes = {0, 0, 1, 1, 2, 2};
    const std::vector<int> labels = {0, 0, 1, -1, 1, 1};
    const CodeAgreement a = MeasureCodeAgreement(codes, 3, labels, 2);
    CHECK(a.purity == doctest::Approx(5.0 / 6.0));
    CHECK(a.match == doctest::Approx(4.0 / 6.0)); // 0 -> 0 (2) and 2 -> 1 (2)
}

TEST_CASE("Code agreement: refuses mismatched lengths, values out of range and matchings too large")
{
    CHECK_THROWS_AS(MeasureCodeAgreement({0, 1}, 2, {0}, 2), std::invalid_argument);
    CHECK_THROWS_AS(MeasureCodeAgreement({2}, 2, {0}, 2), std::invalid_argument);
    CHECK_THROWS_AS(MeasureCodeAgreement({0}, 2, {3}, 2), std::invalid_argument);
    CHECK_THROWS_AS(MeasureCodeAgreement({0}, 17, {0}, 17), std::invalid_argument);
}

TEST_CASE("Nearest modes: each point's closest mode, -1 for a non-finite point")
{
    const std::vector<ll::data::Mode> modes = {{0.0f, 0.0f}, {1.0f, 0.0f}, {0.0f, 1.0f}};
    ll::nn::MatrixF points(2, 4);
    points << 0.1f, 0.9f, 0.2f, std::numeric_limits<float>::quiet_NaN(), //
        0.0f, 0.1f, 0.7f, 0.0f;
    CHECK(ll::eval::NearestModes(points, modes) == std::vector<int>{0, 1, 2, -1});
}
