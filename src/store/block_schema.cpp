// Loading and checking version 3 traces (round blocks, docs/trace-format.md): the block
// directory and the packed round metadata, read at open by every reader and by `tailq check`.
#include <algorithm>
#include <limits>
#include <string>

#include "store/checksum.hpp"
#include "store/round_blocks.hpp"
#include "store/schema_rows.hpp"
#include "store/trace_schema.hpp"

namespace tailq::store {

// Version 3: the round_blocks rows in order, each with its times rows (their types, sizes and
// checksums, never their contents), decoded into the rounds and checked on the way.
void load_blocks(const sqlite::Database& db, LoadedTrace& t, Problems& problems, bool round_list) {
  {
    // Reserved once: growing the vectors block by block copied them, quadratic in the rounds.
    // (A round takes at least 9 bytes of metadata, which bounds a corrupt count.)
    sqlite::Statement count(db,
                            "SELECT min(coalesce(sum(count), 0), coalesce(sum(length(info)), 0) "
                            "/ 9) FROM round_blocks");
    if (count.step()) {
      const auto n = static_cast<std::size_t>(std::max<std::int64_t>(0, count.int64(0)));
      if (round_list) t.rounds.reserve(n);
      t.flags.reserve(n);
    }
  }
  sqlite::Statement q(db,
                      "SELECT first, count, measured, info, checksum, typeof(info) FROM "
                      "round_blocks ORDER BY first");
  TimesRows inference(db, "inference_times", true, "first"),
      total(db, "total_times", true, "first"), query(db, "query_times", true, "first");
  const auto batch_bytes = t.batch_count * sizeof(double);
  const auto timing_bytes = t.instances.size() * sizeof(QueryTiming);
  std::int64_t next = std::numeric_limits<std::int64_t>::min();  // the least valid first
  while (q.step()) {
    StoredBlock block;
    block.first = q.int64(0);
    const std::int64_t count = q.type(1) == SQLITE_INTEGER ? q.int64(1) : 0;
    const std::string where = count > 0 ? rounds_name(block.first, static_cast<std::size_t>(count))
                                        : "the block of round " + std::to_string(block.first);
    if (count <= 0 || count > std::numeric_limits<std::int32_t>::max()) {
      problems.add(where + ": round count '" + q.text(1) + "' is not a positive count");
      continue;
    }
    if (block.first < next) {
      problems.add(where + ": overlaps the block before it");
      continue;
    }
    next = block.first + count;
    block.count = static_cast<std::size_t>(count);
    if (!text_is(q, 5, "blob")) {
      problems.add(where + ": round metadata is not a BLOB");
      continue;
    }
    const std::string_view info = q.blob(3);
    BlockRounds found;
    block.position = t.flags.size();
    const std::string problem = unpack_info(
        block.first, block.count, info, round_list ? &t.rounds : nullptr, t.flags, t.tags, found);
    if (!problem.empty()) {
      problems.add(problem);
      continue;
    }
    for (const std::string& bad : found.bad) problems.add(bad);
    const std::int64_t measured = found.measured;
    block.query_rounds = found.query_rounds;
    if (q.type(2) != SQLITE_INTEGER || q.int64(2) != measured) {
      problems.add(where + ": measured count '" + q.text(2) + "', the rounds hold " +
                   std::to_string(measured) + " measured rounds");
    }
    std::optional<std::uint64_t> sums[2];
    for (int k = 0; k < 2; ++k) {
      TimesRows& rows = k == 0 ? inference : total;
      const char* kind = k == 0 ? "inference" : "total";
      const auto expected = static_cast<std::int64_t>(batch_bytes * block.count);
      if (!rows.at(block.first) || text_is(rows.row(), 1, "null")) {
        problems.add(where + ": no " + std::string(kind) + " times");
        continue;
      }
      if (!text_is(rows.row(), 1, "blob") || rows.row().int64(2) != expected) {
        problems.add(where + ": " + kind + " times hold " + rows.row().text(2) + " bytes of " +
                     rows.row().text(1) + ", expected " + std::to_string(expected) + " bytes (" +
                     std::to_string(t.batch_count) + " batches per round)");
      }
      sums[k] = stored_checksum(rows.row(), 3);
    }
    const bool has_query = query.at(block.first) && !text_is(query.row(), 1, "null");
    if (has_query != (block.query_rounds > 0)) {
      problems.add(where + (has_query ? ": a query timeline for rounds without one"
                                      : ": no query timelines"));
    } else if (has_query) {
      const auto expected = static_cast<std::int64_t>(timing_bytes * block.query_rounds);
      if (!text_is(query.row(), 1, "blob") || query.row().int64(2) != expected) {
        problems.add(where + ": query timelines hold " + query.row().text(2) + " bytes of " +
                     query.row().text(1) + ", expected " + std::to_string(expected));
      }
      block.query_checksum = stored_checksum(query.row(), 3);
    }
    const std::optional<std::uint64_t> checksum = stored_checksum(q, 4);
    if (!checksum || !sums[0] || !sums[1] || (has_query && !block.query_checksum)) {
      problems.add(where + ": a checksum is missing");
    } else if (*checksum != block_checksum(block.first, count, measured, info, *sums[0], *sums[1],
                                           block.query_checksum)) {
      problems.add(where + ": the block does not match its checksum");
    }
    block.inference_checksum = sums[0].value_or(0);
    block.total_checksum = sums[1].value_or(0);
    t.blocks.push_back(block);
  }
  for (auto [table, rows] : {std::pair{"inference_times", &inference},
                             {"total_times", &total},
                             {"query_times", &query}}) {
    std::int64_t first = 0;
    if (const std::int64_t count = rows->orphans(first); count > 0) {
      problems.add(std::string(table) + ": " + std::to_string(count) +
                   " rows for no block (the first for round " + std::to_string(first) + ")");
    }
  }
}

std::size_t LoadedTrace::position(std::int64_t index, std::size_t hint) const {
  if (hint < rounds.size() && rounds[hint].index == index) return hint;
  // Dense numbering from the first round, what every writer makes.
  if (!rounds.empty() && index >= rounds.front().index) {
    const auto offset =
        static_cast<std::uint64_t>(index) - static_cast<std::uint64_t>(rounds.front().index);
    if (offset < rounds.size() && rounds[offset].index == index) return offset;
  }
  const auto at = std::lower_bound(rounds.begin(), rounds.end(), index,
                                   [](const RoundInfo& r, std::int64_t i) { return r.index < i; });
  return at != rounds.end() && at->index == index ? static_cast<std::size_t>(at - rounds.begin())
                                                  : rounds.size();
}

std::size_t LoadedTrace::block_of(std::size_t position, std::size_t hint) const {
  auto holds = [&](std::size_t b) {
    return b < blocks.size() && blocks[b].position <= position &&
           position < blocks[b].position + blocks[b].count;
  };
  if (holds(hint)) return hint;
  if (holds(hint + 1)) return hint + 1;
  const auto at =
      std::upper_bound(blocks.begin(), blocks.end(), position,
                       [](std::size_t p, const StoredBlock& b) { return p < b.position; });
  return static_cast<std::size_t>(at - blocks.begin()) - 1;  // block 0 starts at position 0
}

std::string check_block_blob(const StoredBlock& block, BlobKind kind, const void* data,
                             std::size_t bytes) {
  const std::uint64_t stored = kind == BlobKind::inference ? block.inference_checksum
                               : kind == BlobKind::total   ? block.total_checksum
                                                           : block.query_checksum.value_or(0);
  if (blob_checksum(block.first, kind, data, bytes) == stored) return {};
  const char* what = kind == BlobKind::inference ? "inference times"
                     : kind == BlobKind::total   ? "total times"
                                                 : "query timings";
  return rounds_name(block.first, block.count) + ": " + what + " do not match their checksum";
}

}  // namespace tailq::store
