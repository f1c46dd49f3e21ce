package io.lstmjob.model;

import io.lstmjob.config.Cell;
import io.lstmjob.config.GradientClipping;
import io.lstmjob.config.ModelConfig;
import io.lstmjob.config.Pooling;
import io.lstmjob.config.Task;
import io.lstmjob.config.TrainConfig;
import io.lstmjob.config.WeightInitKind;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.AbstractLSTM;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * Builds the network from the config: stacked recurrent layers (the standard LSTM cell, optionally
 * with a projection, the Mogrifier LSTM, DL4J's Graves LSTM with peepholes, or a GRU; sigmoid gates, tanh cell, forget-gate bias from model.forgetGateBias),
 * dropout between layers, and an output layer per task. Per-step tasks train with truncated BPTT
 * of tbptt.forward / tbptt.backward steps; the classifier (optionally bidirectional, with
 * self-attention) with full BPTT over each sequence. Optionally a per-epoch learning-rate schedule.
 */
public final class NetworkFactory {
    private NetworkFactory() {}

    public static MultiLayerConfiguration configuration(
            ModelConfig model, TrainConfig train, Task task, int inputs, int outputs) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(model.seed())
                .dataType(DataType.FLOAT)
                .weightInit(weightInit(model.weightInit()))
                .updater(updater(train))
                .l2(train.l2())
                .gradientNormalization(gradientNormalization(train.gradientClipping()))
                .gradientNormalizationThreshold(train.gradientClippingThreshold())
                .list();
        int in = inputs;
        List<Layer> recurrent = new ArrayList<>();
        for (int i = 0; i < model.layers().size(); i++) {
            int units = model.layers().get(i);
            Layer cell = recurrentLayer(model, train, in, units, i > 0 ? model.dropout() : 0);
            if (i == 0 && !model.bidirectional()) {
                // Nothing uses the gradient of the network's input; a bidirectional wrapper would add it up.
                if (cell instanceof FusedLstm first) {
                    first.withoutInputGradient();
                } else if (cell instanceof FusedGru first) {
                    first.withoutInputGradient();
                }
            }
            // Both directions see the same input and their outputs are concatenated.
            recurrent.add(model.bidirectional() ? new Bidirectional(Bidirectional.Mode.CONCAT, cell) : cell);
            in = model.outputWidth(i) * (model.bidirectional() ? 2 : 1);
        }
        if (task == Task.CLASSIFY) {
            return classifier(layers, recurrent, model, in, outputs);
        }
        recurrent.forEach(layers::layer);
        RnnOutputLayer.Builder output = task == Task.CHAR_LM
                ? new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                : new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY);
        if (model.dropout() > 0) {
            output.dropOut(1.0 - model.dropout());
        }
        // Computed by FusedRnnOutput: the training score reuses the gradient pass's pre-output.
        layers.layer(FusedRnnOutput.of(output.nIn(in).nOut(outputs).build()));
        return layers.backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(train.tbpttForward())
                .tBPTTBackwardLength(train.tbpttBackward())
                .build();
    }

    /** One recurrent layer of the configured cell: tanh candidate, sigmoid gates, the forget (GRU: update) gate's bias. */
    private static Layer recurrentLayer(ModelConfig model, TrainConfig train, int in, int units, double dropout) {
        if (model.cell() == Cell.GRU) {
            FusedGru.Builder gru = new FusedGru.Builder()
                    .updateGateBias(model.forgetGateBias())
                    .tbpttBackwardLength(train.tbpttBackward());
            gru.nIn(in).nOut(units);
            if (dropout > 0) {
                gru.dropOut(1.0 - dropout);
            }
            return gru.build();
        }
        AbstractLSTM.Builder<?> lstm = model.cell() == Cell.GRAVES ? new GravesLSTM.Builder() : new LSTM.Builder();
        lstm.nIn(in).nOut(units).activation(Activation.TANH);
        lstm.gateActivationFunction(Activation.SIGMOID).forgetGateBiasInit(model.forgetGateBias());
        if (dropout > 0) {
            // DL4J's dropout value is the probability of keeping an input.
            lstm.dropOut(1.0 - dropout);
        }
        // The standard cell is computed by FusedLstm (same equations and parameters, fewer and larger operations).
        Layer built = lstm.build();
        return built instanceof LSTM plain
                ? FusedLstm.of(plain)
                        .withTbpttBackwardLength(train.tbpttBackward())
                        .withProjection(model.projection())
                        .withMogrifierRounds(model.cell() == Cell.MOGRIFIER ? model.mogrifierRounds() : 0)
                : built;
    }

    /**
     * Many-to-one: the LSTM stack, an optional self-attention layer over its outputs, pooling of the
     * unmasked steps into one vector (last step, mean or max) and a softmax over the classes.
     * Backpropagation runs through each whole sequence (a bidirectional layer needs all of it).
     */
    private static MultiLayerConfiguration classifier(
            NeuralNetConfiguration.ListBuilder layers,
            List<Layer> recurrent,
            ModelConfig model,
            int width,
            int classes) {
        if (model.attentionHeads() > 0) {
            recurrent.add(new SelfAttentionLayer.Builder()
                    .nIn(width)
                    .nOut(width)
                    .nHeads(model.attentionHeads())
                    .headSize(width / model.attentionHeads())
                    .projectInput(true)
                    .build());
        }
        if (model.pooling() == Pooling.LAST) {
            // LastTimeStep takes each sequence's last unmasked step, so padding never reaches the softmax.
            recurrent.set(recurrent.size() - 1, new LastTimeStep(recurrent.get(recurrent.size() - 1)));
            recurrent.forEach(layers::layer);
        } else {
            recurrent.forEach(layers::layer);
            layers.layer(
                    new GlobalPoolingLayer.Builder(model.pooling() == Pooling.MAX ? PoolingType.MAX : PoolingType.AVG)
                            .build());
        }
        OutputLayer.Builder output =
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX);
        if (model.dropout() > 0) {
            output.dropOut(1.0 - model.dropout());
        }
        layers.layer(output.nIn(width).nOut(classes).build());
        return layers.backpropType(BackpropType.Standard).build();
    }

    /**
     * The steps segments are grouped by in minibatches (see MinibatchAssembler): 1 when a layer reads
     * the sequence backwards (nothing padded then), the truncated-BPTT window when training goes
     * window by window, otherwise no grouping.
     */
    public static int minibatchGroupSteps(MultiLayerNetwork network) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        if (conf.getConfs().stream().anyMatch(c -> c.getLayer() instanceof Bidirectional)) {
            return 1;
        }
        return conf.getBackpropType() == BackpropType.TruncatedBPTT ? conf.getTbpttFwdLength() : Integer.MAX_VALUE;
    }

    /**
     * Updater steps one minibatch of segments of about {@code stepsPerSegment} steps makes: one per
     * truncated-BPTT window, one when training is not truncated.
     */
    public static int updaterStepsPerMinibatch(MultiLayerNetwork network, double stepsPerSegment) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        return conf.getBackpropType() == BackpropType.TruncatedBPTT
                ? (int) Math.max(1, Math.ceil(stepsPerSegment / conf.getTbpttFwdLength()))
                : 1;
    }

    public static MultiLayerNetwork create(ModelConfig model, TrainConfig train, Task task, int inputs, int outputs) {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration(model, train, task, inputs, outputs));
        network.init();
        return network;
    }

    private static IUpdater updater(TrainConfig train) {
        ISchedule schedule = schedule(train);
        if (schedule == null) {
            return switch (train.updater()) {
                case ADAM -> new VectorAdam(train.learningRate());
                case RMSPROP -> new RmsProp(train.learningRate());
                case SGD -> new Sgd(train.learningRate());
            };
        }
        return switch (train.updater()) {
            case ADAM -> new VectorAdam(schedule);
            case RMSPROP -> new RmsProp(schedule);
            case SGD -> new Sgd(schedule);
        };
    }

    /** Per-epoch learning-rate schedules; the epoch count travels with the model (and its checkpoints). */
    private static ISchedule schedule(TrainConfig train) {
        return switch (train.learningRateSchedule()) {
            case STEP ->
                new StepSchedule(
                        ScheduleType.EPOCH,
                        train.learningRate(),
                        train.learningRateDecay(),
                        train.learningRateStepEpochs());
            case EXPONENTIAL ->
                new ExponentialSchedule(ScheduleType.EPOCH, train.learningRate(), train.learningRateDecay());
            case NONE -> null;
        };
    }

    private static GradientNormalization gradientNormalization(GradientClipping clipping) {
        return switch (clipping) {
            case NONE -> GradientNormalization.None;
            case CLIP_ELEMENT -> GradientNormalization.ClipElementWiseAbsoluteValue;
            case CLIP_L2_PER_LAYER -> GradientNormalization.ClipL2PerLayer;
            case CLIP_L2_PER_PARAM_TYPE -> GradientNormalization.ClipL2PerParamType;
        };
    }

    private static WeightInit weightInit(WeightInitKind kind) {
        return switch (kind) {
            case XAVIER -> WeightInit.XAVIER;
            case RELU -> WeightInit.RELU;
            case UNIFORM -> WeightInit.UNIFORM;
            case NORMAL -> WeightInit.NORMAL;
            case LECUN_NORMAL -> WeightInit.LECUN_NORMAL;
        };
    }
}
