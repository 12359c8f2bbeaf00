#include "collect/rank_checks.hpp"

#include <algorithm>

#include "collect/rank_link.hpp"
#include "tailq/error.hpp"

namespace tailq::detail {

std::string rank_name(int r, const std::string& host) {
  return "rank " + std::to_string(r) + " (" + host + ")";
}

std::string encode(const Command& c) {
  ByteWriter out;
  out.put_string(c.host);
  out.put_string(c.trace);
  out.put<std::uint8_t>(c.resume);
  out.put<std::uint64_t>(c.given.size());
  for (const auto& [key, text] : c.given) {
    out.put_string(key);
    out.put_string(text);
  }
  return out.bytes();
}

Command decode(const std::string& bytes) {
  ByteReader in(bytes);
  Command c;
  c.host = in.get_string();
  c.trace = in.get_string();
  c.resume = in.get<std::uint8_t>() != 0;
  const auto n = in.get<std::uint64_t>();
  for (std::uint64_t k = 0; k < n; ++k) {
    std::string key = in.get_string();
    c.given.emplace_back(std::move(key), in.get_string());
  }
  return c;
}

void require_same_command(const Command& lead, const Command& other, int r) {
  const std::string who = rank_name(r, other.host);
  if (lead.resume != other.resume) {
    throw OptionError("resume", who + (other.resume ? " resumes a trace" : " starts a new trace") +
                                    ", rank 0 " + (lead.resume ? "resumes one" : "a new one") +
                                    ": every rank runs the same command");
  }
  if (lead.trace != other.trace) {
    throw OptionError(lead.resume ? "resume" : "output",
                      who + " names the trace '" + other.trace + "', rank 0 '" + lead.trace +
                          "': every rank names the one trace that rank 0 writes");
  }
  auto value = [](const GivenOptions& given, const std::string& key) {
    for (const auto& [k, text] : given) {
      if (k == key) return "'" + text + "'";
    }
    return std::string("nothing");
  };
  std::vector<std::string> keys;
  for (const auto& given : {lead.given, other.given}) {
    for (const auto& [key, text] : given) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) {
    const std::string a = value(lead.given, key), b = value(other.given, key);
    if (a != b) {
      throw OptionError(
          key, who + " was given " + b + ", rank 0 " + a + ": every rank runs the same command");
    }
  }
}

std::string workload_identity(const Workload& w, const std::vector<std::string>& warnings) {
  const Dataset& d = *w.dataset;
  std::uint64_t labels = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < d.size(); ++i) {
    for (char c : d.label(i)) labels = (labels ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    labels *= 0x100000001b3ull;
  }
  for (const std::string& c : d.classes()) {
    for (char ch : c) labels = (labels ^ static_cast<unsigned char>(ch)) * 0x100000001b3ull;
    labels = (labels ^ 0xff) * 0x100000001b3ull;
  }
  ByteWriter out;
  for (const std::string& field :
       {w.model, std::to_string(w.model_fingerprint), d.name(), std::to_string(d.size()),
        std::to_string(labels), w.backend->description()}) {
    out.put_string(field);
  }
  out.put<std::uint64_t>(warnings.size());
  for (const std::string& warning : warnings) out.put_string(warning);
  return out.bytes();
}

void require_same_workload(const std::string& lead, const std::string& other, int r,
                           const std::string& host, std::vector<std::string>& warnings) {
  static const char* const what[] = {"model",          "model file", "data set",
                                     "instance count", "labels",     "backend"};
  ByteReader a(lead), b(other);
  for (const char* field : what) {
    const std::string x = a.get_string(), y = b.get_string();
    if (x != y) {
      throw InputError(rank_name(r, host) + ": its " + field + " differs from rank 0's" +
                       (std::string(field) == "labels" || std::string(field) == "model file"
                            ? ""
                            : " ('" + y + "' vs '" + x + "')") +
                       ": every rank measures the same set-up");
    }
  }
  const auto n = b.get<std::uint64_t>();
  for (std::uint64_t k = 0; k < n; ++k)
    warnings.push_back(rank_name(r, host) + ": " + b.get_string());
}

}  // namespace tailq::detail
