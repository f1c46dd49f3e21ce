"""Nightly warm-start retrain of an LSTM model with lstm-job, as an Airflow DAG.

Copy to your DAGs folder and edit the paths and the environment. The task runs
jobs/retrain-nightly.sh, that is jobs/submit.sh, which exits with the job's own exit code in client
and in cluster deploy mode (in cluster mode it reads the outcome the run recorded in the model store):
Airflow's SparkSubmitOperator only sees spark-submit's, which in cluster mode is 0 or 1 whatever the
job decided.

The run id is the logical date, so a retried task resumes that night's run from its last
checkpoint, and a task re-run after it published is a no-op that exits as the first run did. A
candidate that does not beat the live model exits 10: the task is then marked skipped, not failed
(the decision with both scores is in the version's metrics.json and in the task's log).
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

LSTM_JOB = "/opt/lstm-job"  # a checkout with the cluster jar built (mvn -Pcluster package)

with DAG(
    dag_id="lstm_nightly_retrain",
    start_date=datetime(2026, 1, 1),
    schedule="15 2 * * *",
    catchup=False,
    max_active_runs=1,  # the model's lock refuses a second run anyway
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
) as dag:
    BashOperator(
        task_id="retrain",
        bash_command=(
            f"{LSTM_JOB}/jobs/retrain-nightly.sh {LSTM_JOB}/conf/sensors.conf"
            " input.path=hdfs:///data/sensors/{{ ds }} output.path=hdfs:///models"
        ),
        env={
            "RUN_ID": "nightly-{{ ds_nodash }}",
            "MASTER": "yarn",
            "DEPLOY_MODE": "cluster",
            "NUM_EXECUTORS": "4",
            "EXECUTOR_CORES": "2",
            "EXECUTOR_MEMORY": "4g",
            "EXECUTOR_OFFHEAP": "3g",
            # On AMD Zen 4 (or later) executors, the bundled OpenBLAS misses their AVX-512 (see
            # jobs/openblas-core.sh): "OPENBLAS_CORETYPE": "SKYLAKEX",
        },
        append_env=True,  # PATH, SPARK_HOME, HADOOP_CONF_DIR, JAVA_HOME of the worker
        skip_on_exit_code=10,  # kept the live model: not a failure of the night
    )
