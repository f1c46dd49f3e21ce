package io.lstmjob.train.averaging;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcessMemoryLimitTest {
    @Test
    void aSizeReadsAsJavaCppWritesItAndNoneMeansNoBound() {
        assertEquals(8L << 30, ProcessMemoryLimit.parse("8192m").bytes());
        assertEquals(8L << 30, ProcessMemoryLimit.parse("8g").bytes());
        assertEquals(0, ProcessMemoryLimit.parse(null).bytes());
        assertEquals(0, ProcessMemoryLimit.parse(" ").bytes());
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> ProcessMemoryLimit.parse("lots"));
        assertTrue(bad.getMessage().contains("-Dio.lstmjob.maxProcessBytes")
                && bad.getMessage().contains("'lots'"));
    }

    @Test
    void aProcessOverItsBoundFailsWithTheFiguresAndWithinItGoesOn() {
        // This JVM holds far more than a megabyte and far less than a petabyte.
        IllegalStateException over =
                assertThrows(IllegalStateException.class, () -> new ProcessMemoryLimit(1L << 20).check());
        assertTrue(over.getMessage().contains("over its limit of 1 MB"), over.getMessage());
        assertTrue(over.getMessage().contains("-Dio.lstmjob.maxProcessBytes"), over.getMessage());
        assertDoesNotThrow(() -> new ProcessMemoryLimit(1L << 50).check());
        assertDoesNotThrow(() -> new ProcessMemoryLimit(0).check());
    }
}
