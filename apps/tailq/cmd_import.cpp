#include <iostream>

#include "commands.hpp"
#include "tailq/import.hpp"
#include "tailq/output_path.hpp"

namespace tailq::cli {

void add_import_command(CLI::App& app) {
  struct Options {
    ImportRequest request;
    std::string warmup;
    std::string output;
  };
  auto options = std::make_shared<Options>();
  ImportRequest& r = options->request;
  CLI::App* cmd = app.add_subcommand("import", "Build a trace from times and outcomes files");
  cmd->add_option("--times", r.times_csv, "CSV: round,instance,inference,total[,batch]");
  cmd->add_option("--inference-npy", r.inference_npy, ".npy (rounds x instances) of inference s");
  cmd->add_option("--total-npy", r.total_npy, ".npy (rounds x instances) of total s");
  cmd->add_option("--outcomes", r.outcomes_csv,
                  "CSV: instance,label,prediction or instance,score or "
                  "instance,relevant,ranking (none: latency only)");
  cmd->add_option("--coco-annotations", r.coco_annotations,
                  "detection: COCO annotations JSON (images, annotations, categories)");
  cmd->add_option("--coco-detections", r.coco_detections,
                  "detection: COCO results JSON (image_id, category_id, bbox, score)");
  cmd->add_flag("--numeric-labels", r.numeric_labels,
                "write whole-number labels and predictions as integers (7.0 -> 7) before "
                "comparing them");
  cmd->add_option("--warmup-rounds", options->warmup, "warm-up rounds, e.g. 0,1 or 0-4");
  cmd->add_option("-o,--output", options->output, "trace file to create")->required();
  cmd->add_flag("--force", r.overwrite, "replace an existing trace");
  cmd->add_option("--model", r.experiment.model, "model name");
  cmd->add_option("--dataset", r.experiment.dataset, "dataset name");
  cmd->add_option("--backend", r.experiment.backend, "backend or framework");
  cmd->callback([options] {
    const ImportRequest& given = options->request;
    for (const std::filesystem::path* input :
         {&given.times_csv, &given.inference_npy, &given.total_npy, &given.outcomes_csv,
          &given.coco_annotations, &given.coco_detections}) {
      if (!input->empty()) check_input_file(*input, "data file");
    }
    check_output_path(options->output, {.overwrite = given.overwrite});
    options->request.output = options->output;
    if (!options->warmup.empty())
      options->request.warmup_rounds = parse_round_list(options->warmup);
    // Warnings go to stderr, where they are seen even when stdout is piped away.
    for (const std::string& w : import_trace(options->request)) {
      std::cerr << "tailq: warning: " << w << "\n";
    }
    std::cout << "wrote " << options->output << "\n";
  });
}

}  // namespace tailq::cli
