package io.lstmjob.model;

import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * DL4J's Adam, configured and serialized as Adam is, whose update runs in {@link VectorAdamUpdater}:
 * libnd4j's adam_updater makes one scalar pass, the vector pass is about ten times faster
 * (docs/PERFORMANCE.md). Networks saved with it name this class in their configuration.
 */
public class VectorAdam extends Adam {

    /** For Jackson: DL4J writes updaters with their class name and reads them back through it. */
    public VectorAdam() {}

    public VectorAdam(double learningRate) {
        super(learningRate);
    }

    public VectorAdam(ISchedule learningRateSchedule) {
        super(learningRateSchedule);
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        // As Adam: the state view holds m then v, each shaped like the gradient.
        long[] gradientShape = Arrays.copyOf(viewArray.shape(), viewArray.rank());
        gradientShape[1] /= 2;
        VectorAdamUpdater updater = new VectorAdamUpdater(this);
        updater.setStateViewArray(viewArray, gradientShape, viewArray.ordering(), initializeViewArray);
        return updater;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        VectorAdamUpdater updater = new VectorAdamUpdater(this);
        updater.setState(updaterState, initializeStateArrays);
        return updater;
    }

    @Override
    public VectorAdam clone() {
        VectorAdam copy = new VectorAdam(getLearningRate());
        copy.setLearningRateSchedule(
                getLearningRateSchedule() == null
                        ? null
                        : getLearningRateSchedule().clone());
        copy.setBeta1(getBeta1());
        copy.setBeta2(getBeta2());
        copy.setEpsilon(getEpsilon());
        return copy;
    }
}
