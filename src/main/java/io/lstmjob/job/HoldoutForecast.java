package io.lstmjob.job;

import io.lstmjob.config.Task;
import io.lstmjob.data.DataContract;
import io.lstmjob.data.MinibatchAssembler;
import io.lstmjob.data.PreparedData;
import io.lstmjob.data.Segment;
import io.lstmjob.report.ForecastSample;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

/** The forecast of the first target on one holdout segment, in the input's units, for the report. */
final class HoldoutForecast {
    private HoldoutForecast() {}

    /** Null for a character model or when there is no validation split. */
    static ForecastSample of(MultiLayerNetwork network, PreparedData data) {
        DataContract contract = data.contract();
        if (contract.task() != Task.FORECAST || data.summary().validationSegments() == 0) {
            return null;
        }
        List<Segment> first = data.validation().take(1);
        if (first.isEmpty()) {
            return null;
        }
        Segment segment = first.get(0);
        var features =
                new MinibatchAssembler(contract, 1).assemble(List.of(segment)).getFeatures();
        float[] out = network.output(features, false)
                .castTo(DataType.FLOAT)
                .dup('c')
                .data()
                .asFloat();
        double[] actual = new double[segment.length()];
        double[] predicted = new double[segment.length()];
        int firstTarget = contract.targetChannels()[0];
        for (int t = 0; t < segment.length(); t++) {
            // the first target one step ahead (a k-step forecaster's first output block)
            actual[t] = segment.value(t + 1, firstTarget);
            predicted[t] = contract.scaler().unscaleTarget(0, out[t]);
        }
        return new ForecastSample(segment.seqId(), contract.targetNames().get(0), actual, predicted);
    }
}
