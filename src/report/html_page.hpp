// Pieces shared by the HTML pages (report, compare): escaping, the inlined charting libraries,
// the script that renders the charts, and writing a page atomically.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tailq/error.hpp"
#include "tailq/output_path.hpp"

namespace tailq::detail {

using nlohmann::ordered_json;

inline std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// JSON inside <script type="application/json">: "<" can never start "</script>" or "<!--".
inline std::string script_safe_json(const ordered_json& j) {
  std::string s = j.dump();
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError(
        path.string() +
        ": charting library missing (run scripts/install-deps.sh, "
        "or set TAILQ_WEB_MODULES to a node_modules with vega, vega-lite, vega-embed)");
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  check_output_path(path, {.overwrite = true, .example = "report.html"});
  PartialFile tmp(path);
  {
    std::ofstream out(tmp.path(), std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw InputError(path.string() + ": cannot write the report (is the disk full?)");
  }
  tmp.commit();
}

// The three libraries, read now and inlined: the page fetches nothing when it is viewed.
inline std::string inline_chart_libraries(const std::filesystem::path& web) {
  return "<script>" + read_file(web / "vega/build/vega.min.js") + "</script>\n<script>" +
         read_file(web / "vega-lite/build/vega-lite.min.js") + "</script>\n<script>" +
         read_file(web / "vega-embed/build/vega-embed.min.js") + "</script>\n";
}

// Renders every chart of the JSON list in element #tailq-charts into #charts, or into the
// element its "host" names (a chart that belongs to a section of its own, under a smaller title).
constexpr const char* kRenderCharts = R"js(<script>
const charts = JSON.parse(document.getElementById('tailq-charts').textContent);
for (const c of charts) {
  const host = document.getElementById(c.host || 'charts');
  const h = document.createElement(c.host ? 'h3' : 'h2'); h.textContent = c.title;
  host.appendChild(h);
  const div = document.createElement('div'); div.className = 'chart'; div.id = c.id;
  host.appendChild(div);
  // The views stay reachable (window.tailqViews) so that tests can read the scales drawn.
  vegaEmbed(div, c.spec, {actions: false, renderer: 'svg'})
    .then(r => { (window.tailqViews = window.tailqViews || {})[c.id] = r.view; })
    .catch(e => { console.error('chart ' + c.id + ': ' + e); });
}
</script>
)js";

constexpr const char* kPageStyle =
    "<style>body{font:14px system-ui,sans-serif;margin:2em auto;max-width:1400px;padding:0 1.5em;"
    "color:#222}.answer{font-size:1.1em;background:#f3f7fb;padding:.6em 1em;border-left:4px solid"
    " #4c78a8}"
    "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}table{border-collapse:collapse}"
    "td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:right}td:first-child,"
    "th:first-child{text-align:left}.warn{color:#a40;font-weight:600}.chart{margin:1em "
    "0;width:100%}"
    "</style>\n";

}  // namespace tailq::detail
