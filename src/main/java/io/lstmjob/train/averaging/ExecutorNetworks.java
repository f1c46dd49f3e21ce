package io.lstmjob.train.averaging;

import java.util.ArrayDeque;
import java.util.Deque;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The networks an executor JVM has trained with, kept from one averaging round to the next: a
 * round loads the broadcast state into one instead of building a network from its JSON. Building
 * one costs more than parsing: DL4J's workspaces and the LSTM layers' working arrays size
 * themselves again over the first minibatches, which in a short round is a noticeable share.
 * Only networks of the latest configuration are kept (one job trains one model at a time), at
 * most one per task that ran at the same time.
 */
final class ExecutorNetworks {
    private static String configurationJson;
    private static final Deque<MultiLayerNetwork> IDLE = new ArrayDeque<>();

    private ExecutorNetworks() {}

    /** A network holding exactly {@code state}: an idle one of the same configuration, else a new one. */
    static MultiLayerNetwork take(ModelState state) {
        MultiLayerNetwork network;
        synchronized (ExecutorNetworks.class) {
            if (!state.configurationJson().equals(configurationJson)) {
                IDLE.clear();
                configurationJson = state.configurationJson();
            }
            network = IDLE.poll();
        }
        if (network == null) {
            return state.restore();
        }
        state.loadInto(network);
        network.rnnClearPreviousState();
        network.clearLayersStates();
        network.setListeners();
        return network;
    }

    /** Networks waiting for the next round. */
    static synchronized int idle() {
        return IDLE.size();
    }

    /** Done with {@code network}, taken for {@code state} (its result has been read): another round may take it. */
    static void giveBack(ModelState state, MultiLayerNetwork network) {
        synchronized (ExecutorNetworks.class) {
            if (state.configurationJson().equals(configurationJson)) {
                IDLE.push(network);
            }
        }
    }
}
