package io.lstmjob.cli;

import io.lstmjob.config.JobConfig;
import io.lstmjob.job.ExportJob;
import io.lstmjob.report.JsonDocuments;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Write a model as ONNX (model.onnx, scaler inside; model-step.onnx for step-by-step serving) and its",
            "weights as NumPy .npz with a JSON manifest (gate order i, f, g, o; a GRU's z, r, g), plus an 8-bit linear and a",
            "k-means codebook copy; scores every copy on the holdout of the input. A projected or Mogrifier LSTM gets no",
            "ONNX graph (ONNX's LSTM has neither; the manifest says so)."
        })
final class ExportCommand implements Callable<Integer> {

    @Mixin
    ModelArguments model;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "DIR",
            description = "Output folder (any Hadoop path); must not exist.")
    String output;

    @Option(
            names = "--kmeans-bits",
            defaultValue = "4",
            description = "Codebook of 2^bits centroids per tensor (default: ${DEFAULT-VALUE}).")
    int kmeansBits;

    @Option(names = "--no-evaluate", description = "Do not score the copies (no Spark).")
    boolean noEvaluate;

    @Override
    public Integer call() throws Exception {
        JobConfig given = model.config();
        if (noEvaluate) {
            print(ExportJob.run(null, given, model.version(), output, kmeansBits, new Configuration()));
            return LstmJob.OK;
        }
        return WithSpark.run(given, spark -> {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            // The quantised copies are scored on the holdout, read as the model was trained.
            print(ExportJob.run(
                    spark, model.configAsTrained(given, hadoop), model.version(), output, kmeansBits, hadoop));
            return LstmJob.OK;
        });
    }

    private static void print(Map<String, Object> manifest) throws java.io.IOException {
        Map<String, Object> summary = new java.util.LinkedHashMap<>();
        summary.put("bytes", manifest.get("bytes"));
        if (manifest.containsKey("holdout")) {
            summary.put("holdout", manifest.get("holdout"));
        }
        JsonDocuments.write(summary, System.out);
        System.out.println();
    }
}
