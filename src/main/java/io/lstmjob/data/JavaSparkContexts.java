package io.lstmjob.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** The Java context of an RDD, for broadcasting from code that only holds the RDD. */
final class JavaSparkContexts {
    private JavaSparkContexts() {
    }

    static JavaSparkContext of(JavaRDD<?> rdd) {
        return JavaSparkContext.fromSparkContext(rdd.context());
    }
}
