"""Nightly warm-start retrain of an LSTM model with lstm-job, as an Airflow DAG.

Copy to your DAGs folder and edit the paths. Needs apache-airflow-providers-apache-spark and a
Spark connection (here "spark_default") pointing at YARN, Kubernetes or a standalone master.

The run id is the logical date, so a retried task resumes that night's run from its last
checkpoint, and a task re-run after it published is a no-op. A candidate that does not beat the
live model is not a failure of the night: --kept-exit-code 0 makes the task succeed, and the
decision with both scores is in the version's metrics.json and in the driver log.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

JAR = "/opt/lstm-job/spark-lstm-job-0.1.0-SNAPSHOT-cluster.jar"  # mvn -Pcluster package
CONFIG = "/opt/lstm-job/conf/sensors.conf"  # shipped to the driver with files=

with DAG(
    dag_id="lstm_nightly_retrain",
    start_date=datetime(2026, 1, 1),
    schedule="15 2 * * *",
    catchup=False,
    max_active_runs=1,  # the model's lock refuses a second run anyway
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
) as dag:
    SparkSubmitOperator(
        task_id="retrain",
        conn_id="spark_default",
        application=JAR,
        java_class="io.lstmjob.cli.LstmJob",
        files=CONFIG,
        application_args=[
            "retrain",
            "--config", "sensors.conf",
            "--run-id", "nightly-{{ ds_nodash }}",
            "--kept-exit-code", "0",
            "input.path=hdfs:///data/sensors/{{ ds }}",
            "output.path=hdfs:///models",
        ],
        num_executors=4,
        executor_cores=2,
        executor_memory="6g",
        driver_memory="4g",
        conf={
            # ND4J arrays live off-heap: the overhead must hold javacpp.maxbytes plus JVM overhead.
            "spark.executor.memoryOverhead": "5g",
            # The Vector API module makes the LSTM's element-wise steps about twice as fast.
            "spark.executor.extraJavaOptions": "--add-modules=jdk.incubator.vector "
                                               "-Dorg.bytedeco.javacpp.maxbytes=4G -Dorg.bytedeco.javacpp.maxphysicalbytes=5G",
            "spark.driver.extraJavaOptions": "--add-modules=jdk.incubator.vector",
            "spark.executorEnv.OMP_NUM_THREADS": "1",
            # On AMD Zen 4 (or later) executors, the bundled OpenBLAS misses their AVX-512: uncomment
            # for its faster kernels (see jobs/openblas-core.sh).
            # "spark.executorEnv.OPENBLAS_CORETYPE": "SKYLAKEX",
        },
    )
