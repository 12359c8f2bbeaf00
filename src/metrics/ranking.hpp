// The item lists of ranking outcomes (docs/ranking.md), shared by the metrics and the importer
// so that both read and refuse the same lists.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace tailq::ranking {

// Items separated by spaces (any number); empty for a blank field.
std::vector<std::string_view> split_items(std::string_view text);

// The first item listed a second time; nullopt when every item is listed once.
std::optional<std::string_view> repeated_item(std::span<const std::string_view> items);

}  // namespace tailq::ranking
