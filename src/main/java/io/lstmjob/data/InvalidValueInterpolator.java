package io.lstmjob.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * input.invalidValues=interpolate: every invalid (NaN) cell gets the linear interpolation between
 * the nearest valid values of its channel in its sequence (the nearest one alone at either end).
 * Invalid cells are expected to be rare, so their positions and the few neighbours they need are
 * brought to the driver; the data itself is patched where it lies.
 */
final class InvalidValueInterpolator {
    static final int MAX_CELLS = 1_000_000;

    private InvalidValueInterpolator() {
    }

    record Filled(JavaRDD<RankedStep> steps, long cells) {
    }

    /** One invalid cell: channel {@code channel} of the features (target=false) or targets. */
    record Cell(String seqId, long rank, boolean target, int channel) implements Serializable {
    }

    static Filled fill(JavaSparkContext sc, JavaRDD<RankedStep> steps, List<String> featureNames, List<String> targetNames) {
        List<Cell> invalid = steps.flatMap(step -> {
            List<Cell> cells = new ArrayList<>();
            addInvalid(cells, step, step.features(), false);
            if (step.targets() != step.features()) {
                addInvalid(cells, step, step.targets(), true);
            }
            return cells.iterator();
        }).take(MAX_CELLS + 1);
        if (invalid.isEmpty()) {
            return new Filled(steps, 0);
        }
        if (invalid.size() > MAX_CELLS) {
            throw new InputDataException("more than " + MAX_CELLS + " invalid cells: too many to interpolate; fix the input "
                    + "or use input.invalidValues=skip");
        }
        // Maximal runs of invalid ranks per (sequence, channel); each needs the steps just before and after it.
        Map<String, TreeMap<Long, Cell>> byChannel = new HashMap<>();
        for (Cell cell : invalid) {
            byChannel.computeIfAbsent(cell.seqId() + "\u0000" + cell.target() + "\u0000" + cell.channel(), k -> new TreeMap<>())
                    .put(cell.rank(), cell);
        }
        List<long[]> runs = new ArrayList<>();
        List<Cell> runCells = new ArrayList<>();
        Set<String> needed = new HashSet<>();
        for (TreeMap<Long, Cell> cells : byChannel.values()) {
            long start = -2;
            long end = -2;
            Cell first = null;
            for (Map.Entry<Long, Cell> e : cells.entrySet()) {
                if (e.getKey() != end + 1) {
                    if (first != null) {
                        runs.add(new long[]{start, end});
                        runCells.add(first);
                    }
                    start = e.getKey();
                    first = e.getValue();
                }
                end = e.getKey();
            }
            runs.add(new long[]{start, end});
            runCells.add(first);
        }
        for (int i = 0; i < runs.size(); i++) {
            needed.add(key(runCells.get(i).seqId(), runs.get(i)[0] - 1));
            needed.add(key(runCells.get(i).seqId(), runs.get(i)[1] + 1));
        }
        Broadcast<Set<String>> neededBroadcast = sc.broadcast(needed);
        Map<String, RankedStep> neighbours = new HashMap<>();
        for (RankedStep step : steps.filter(s -> neededBroadcast.value().contains(key(s.seqId(), s.rank()))).collect()) {
            neighbours.put(key(step.seqId(), step.rank()), step);
        }
        neededBroadcast.destroy(false);

        Map<String, Map<String, Float>> fixes = new HashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            Cell cell = runCells.get(i);
            long a = runs.get(i)[0];
            long b = runs.get(i)[1];
            Float left = valueAt(neighbours.get(key(cell.seqId(), a - 1)), cell);
            Float right = valueAt(neighbours.get(key(cell.seqId(), b + 1)), cell);
            if (left == null && right == null) {
                String column = (cell.target() ? targetNames : featureNames).get(cell.channel());
                throw new InputDataException("sequence '" + cell.seqId() + "' has no valid value in column '" + column
                        + "' to interpolate from");
            }
            for (long r = a; r <= b; r++) {
                float value = left == null ? right : right == null ? left
                        : (float) (left + (right - left) * (double) (r - a + 1) / (b - a + 2));
                fixes.computeIfAbsent(key(cell.seqId(), r), k -> new HashMap<>())
                        .put(cell.target() + ":" + cell.channel(), value);
            }
        }
        Broadcast<Map<String, Map<String, Float>>> fixesBroadcast = sc.broadcast(fixes);
        JavaRDD<RankedStep> filled = steps.map(step -> {
            Map<String, Float> fix = fixesBroadcast.value().get(key(step.seqId(), step.rank()));
            if (fix == null) {
                return step;
            }
            float[] features = patch(step.features(), fix, false);
            float[] targets = step.targets() == step.features() ? features : patch(step.targets(), fix, true);
            return new RankedStep(step.seqId(), step.rank(), features, targets);
        });
        return new Filled(filled, invalid.size());
    }

    private static void addInvalid(List<Cell> cells, RankedStep step, float[] values, boolean target) {
        for (int c = 0; c < values.length; c++) {
            if (Float.isNaN(values[c])) {
                cells.add(new Cell(step.seqId(), step.rank(), target, c));
            }
        }
    }

    private static Float valueAt(RankedStep step, Cell cell) {
        if (step == null) {
            return null;
        }
        float v = (cell.target() ? step.targets() : step.features())[cell.channel()];
        return Float.isNaN(v) ? null : v;
    }

    private static float[] patch(float[] values, Map<String, Float> fix, boolean target) {
        float[] copy = values.clone();
        for (int c = 0; c < copy.length; c++) {
            Float v = fix.get(target + ":" + c);
            if (v != null) {
                copy[c] = v;
            }
        }
        return copy;
    }

    private static String key(String seqId, long rank) {
        return seqId + "\u0000" + rank;
    }
}
