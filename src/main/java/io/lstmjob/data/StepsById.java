package io.lstmjob.data;

import scala.Tuple2;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams rows sorted by (id, rank), as a cut's shuffle delivers them, into one result per id: each
 * id's steps are handed to {@code build} as an iterator, in rank order, and nothing is buffered.
 */
final class StepsById<T> implements Iterator<T> {

    /** Builds one id's result from its steps (at least one), consuming them in rank order. */
    interface Builder<T> {
        T build(int id, Iterator<RankedStep> steps);
    }

    private final Iterator<Tuple2<Segmenter.SegmentStep, RankedStep>> rows;
    private final Builder<T> builder;
    private Tuple2<Segmenter.SegmentStep, RankedStep> pending;

    StepsById(Iterator<Tuple2<Segmenter.SegmentStep, RankedStep>> rows, Builder<T> builder) {
        this.rows = rows;
        this.builder = builder;
        this.pending = rows.hasNext() ? rows.next() : null;
    }

    @Override
    public boolean hasNext() {
        return pending != null;
    }

    @Override
    public T next() {
        if (pending == null) {
            throw new NoSuchElementException();
        }
        int id = pending._1().segment();
        Iterator<RankedStep> steps = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return pending != null && pending._1().segment() == id;
            }

            @Override
            public RankedStep next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                RankedStep step = pending._2();
                pending = rows.hasNext() ? rows.next() : null;
                return step;
            }
        };
        T result = builder.build(id, steps);
        while (steps.hasNext()) {
            steps.next(); // a builder that stops early must not leave this id's rows for the next one
        }
        return result;
    }
}
