package io.lstmjob.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lstmjob.config.Task;
import io.lstmjob.data.DataContract;
import io.lstmjob.job.ModelFiles;
import io.lstmjob.job.PublishedConfig;
import io.lstmjob.job.PublishedModel;
import io.lstmjob.score.RowScorer;
import io.lstmjob.store.ModelStore;
import io.lstmjob.store.ModelStoreException;
import io.lstmjob.train.averaging.ModelState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A published model as a Spark ML {@code Model}, to score DataFrames inside other Spark jobs:
 * <pre>
 *   LstmModel model = LstmModel.load("hdfs://nn/models/sensors");   // the live version, or .../versions/V
 *   Dataset&lt;Row&gt; scored = model.transform(readings);
 * </pre>
 * A forecaster keeps every input row and column and adds, per target, {@code TARGET_predicted}
 * (the forecast for that row made from the rows before it in its sequence; null for a sequence's
 * first row) and, from a {@code model.horizon=H} model, {@code TARGET_predicted_t+K}; with
 * {@code setHorizon(K)} a next-step model also forecasts K steps beyond each sequence's last row,
 * in K added rows (see {@code score.ForecastRows}). A classifier
 * gives one row per sequence as {@code predict} writes it. Rows are grouped by the sequence id
 * column and ordered by the order column on the executors, the network is broadcast once, and its
 * state is carried through each whole sequence, by the same {@link RowScorer} as {@code predict}.
 * The columns default to the model's own (its data contract and the config it was trained with).
 */
public final class LstmModel extends Model<LstmModel> {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final transient PublishedModel published;
    private final Param<String> sequenceIdCol;
    private final Param<String> orderCol;
    private final StringArrayParam featureCols;
    private final Param<String> labelCol;
    private final IntParam batchSize;
    private final IntParam horizon;

    private LstmModel(String uid, PublishedModel published, String idColumn, String orderColumn, String labelColumn) {
        this.uid = uid;
        this.published = published;
        sequenceIdCol = new Param<>(
                this, "sequenceIdCol", "column naming the sequence of each row; empty: all rows are one sequence");
        orderCol = new Param<>(this, "orderCol", "column that orders the rows of a sequence");
        featureCols =
                new StringArrayParam(this, "featureCols", "the network's input columns, in the data contract's order");
        labelCol = new Param<>(
                this, "labelCol", "a classifier's label column (kept in its output when present); empty: none");
        batchSize = new IntParam(
                this,
                "batchSize",
                "sequences per minibatch of a classifier (>= 1)",
                org.apache.spark.ml.param.ParamValidators.gtEq(1));
        setDefault(sequenceIdCol, idColumn);
        setDefault(orderCol, orderColumn);
        setDefault(featureCols, published.contract().featureNames().toArray(String[]::new));
        setDefault(labelCol, labelColumn);
        horizon = new IntParam(
                this,
                "horizon",
                "a next-step forecaster's steps beyond each sequence's last row, each forecast "
                        + "fed back as the next input (>= 0)",
                org.apache.spark.ml.param.ParamValidators.gtEq(0));
        setDefault(batchSize, 32);
        setDefault(horizon, 0);
    }

    /**
     * @param path a model's folder under output.path (its live version is used) or one of its
     *             version folders ({@code .../versions/V}), on any Hadoop file system
     */
    public static LstmModel load(String path) {
        Configuration conf = SparkSession.getActiveSession().isDefined()
                ? SparkSession.getActiveSession().get().sparkContext().hadoopConfiguration()
                : new Configuration();
        Path folder = new Path(path);
        ModelStore store;
        String version;
        try {
            FileSystem fs = folder.getFileSystem(conf);
            boolean isVersion = fs.exists(new Path(folder, ModelFiles.MODEL));
            Path modelDir = isVersion ? folder.getParent().getParent() : folder;
            store = new ModelStore(modelDir.getParent().toString(), modelDir.getName(), conf);
            version = isVersion ? folder.getName() : null;
        } catch (IOException e) {
            throw new ModelStoreException("cannot open " + path + ": " + e.getMessage(), e);
        }
        PublishedModel model = PublishedModel.load(store, version);
        JsonNode input = PublishedConfig.read(store, model.version())
                .map(LstmModel::inputSection)
                .orElseGet(() -> new ObjectMapper().createObjectNode());
        return new LstmModel(
                Identifiable$.MODULE$.randomUID("lstmModel"),
                model,
                input.path("sequenceIdColumn").asText(""),
                input.path("orderColumn").asText(""),
                input.path("labelColumn").asText(""));
    }

    private static JsonNode inputSection(PublishedConfig config) {
        try {
            return new ObjectMapper().readTree(config.json()).path("input");
        } catch (IOException e) {
            return new ObjectMapper().createObjectNode();
        }
    }

    /** The version this model is. */
    public String version() {
        return published.version();
    }

    public DataContract contract() {
        return published.contract();
    }

    public Param<String> sequenceIdCol() {
        return sequenceIdCol;
    }

    public Param<String> orderCol() {
        return orderCol;
    }

    public StringArrayParam featureCols() {
        return featureCols;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public IntParam horizon() {
        return horizon;
    }

    public LstmModel setSequenceIdCol(String value) {
        return (LstmModel) set(sequenceIdCol, value);
    }

    public LstmModel setOrderCol(String value) {
        return (LstmModel) set(orderCol, value);
    }

    public LstmModel setFeatureCols(String[] value) {
        return (LstmModel) set(featureCols, value);
    }

    public LstmModel setLabelCol(String value) {
        return (LstmModel) set(labelCol, value);
    }

    public LstmModel setBatchSize(int value) {
        return (LstmModel) set(batchSize, value);
    }

    public LstmModel setHorizon(int value) {
        return (LstmModel) set(horizon, value);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public LstmModel copy(ParamMap extra) {
        return copyValues(
                new LstmModel(
                        uid, published, getOrDefault(sequenceIdCol), getOrDefault(orderCol), getOrDefault(labelCol)),
                extra);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        DataContract contract = contract();
        if (contract.task() == Task.CHAR_LM) {
            throw new IllegalArgumentException("LstmModel scores forecasting and classification models; version "
                    + version() + " is a character model");
        }
        List<String> features = Arrays.asList(getOrDefault(featureCols));
        if (features.size() != contract.featureNames().size()) {
            throw new IllegalArgumentException("featureCols: the model takes "
                    + contract.featureNames().size() + " features " + contract.featureNames() + ", got " + features);
        }
        List<String> needed = new ArrayList<>(features);
        String id = getOrDefault(sequenceIdCol);
        String order = getOrDefault(orderCol);
        if (!id.isEmpty()) {
            needed.add(id);
        }
        if (order.isEmpty()) {
            throw new IllegalArgumentException("orderCol: a DataFrame's rows have no order of their own; "
                    + "set the column that orders the rows of a sequence");
        }
        needed.add(order);
        List<String> present = Arrays.asList(schema.fieldNames());
        for (String column : needed) {
            if (!present.contains(column)) {
                throw new IllegalArgumentException("column '" + column + "' is not in the DataFrame " + present);
            }
        }
        for (String feature : features) {
            if (!(schema.apply(feature).dataType() instanceof org.apache.spark.sql.types.NumericType)) {
                throw new IllegalArgumentException("feature column '" + feature + "' is "
                        + schema.apply(feature).dataType().simpleString() + ", not numeric");
            }
        }
        int rollOut = (Integer) getOrDefault(horizon);
        if (rollOut > 0) {
            RowScorer.horizonRefusal(contract).ifPresent(reason -> {
                throw new IllegalArgumentException("horizon: " + reason);
            });
        }
        if (contract.task() == Task.CLASSIFY) {
            return RowScorer.classificationSchema(contract);
        }
        // The horizon's rows beyond a sequence's end hold nulls in the input's columns.
        StructType out = rollOut == 0
                ? schema
                : new StructType(Arrays.stream(schema.fields())
                        .map(f -> new StructField(f.name(), f.dataType(), true, f.metadata()))
                        .toArray(StructField[]::new));
        for (String column : RowScorer.forecastColumns(contract)) {
            if (present.contains(column)) {
                throw new IllegalArgumentException("the DataFrame already has a column '" + column + "'");
            }
            out = out.add(
                    new StructField(column, DataTypes.DoubleType, true, org.apache.spark.sql.types.Metadata.empty()));
        }
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType outSchema = transformSchema(dataset.schema());
        Dataset<Row> frame = dataset.toDF();
        String id = getOrDefault(sequenceIdCol);
        String order = getOrDefault(orderCol);
        Dataset<Row> grouped = id.isEmpty()
                ? frame.repartition(1).sortWithinPartitions(order)
                : frame.repartition(functions.col(id))
                        .sortWithinPartitions(new Column[] {functions.col(id), functions.col(order)});
        StructType in = frame.schema();
        int[] featureIndexes = Arrays.stream(getOrDefault(featureCols))
                .mapToInt(in::fieldIndex)
                .toArray();
        int idIndex = id.isEmpty() ? -1 : in.fieldIndex(id);
        int orderIndex = in.fieldIndex(order);
        String label = getOrDefault(labelCol);
        int labelIndex = !label.isEmpty() && Arrays.asList(in.fieldNames()).contains(label) ? in.fieldIndex(label) : -1;
        SparkSession spark = frame.sparkSession();
        DataContract contract = contract();
        // Spark removes the broadcast once the result is no longer referenced (ContextCleaner).
        Broadcast<ModelState> state = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .broadcast(ModelState.forScoring(published.network()));
        RowScorer scorer = new RowScorer(state, contract, featureIndexes, idIndex, orderIndex);
        JavaRDD<Row> rows = contract.task() == Task.CLASSIFY
                ? scorer.classify(grouped.javaRDD(), labelIndex, (Integer) getOrDefault(batchSize))
                : scorer.forecast(grouped.javaRDD(), (Integer) getOrDefault(horizon));
        return spark.createDataFrame(rows, outSchema);
    }
}
