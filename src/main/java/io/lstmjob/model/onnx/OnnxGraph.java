package io.lstmjob.model.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.nd4j.shade.protobuf.ByteString;

/**
 * A small builder over ONNX's protobuf messages (the generated classes ND4J ships in nd4j-api): named
 * initializers, nodes whose outputs get fresh names, typed graph inputs and outputs. Only what the
 * export needs; no graph rewriting.
 */
final class OnnxGraph {
    /** ONNX IR version 7 (ONNX 1.8): what opset 13 needs; ONNX Runtime reads IR 3 to 10. */
    static final long IR_VERSION = 7;

    static final long OPSET = 13;

    private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
    private int names;

    OnnxGraph(String name) {
        graph.setName(name);
    }

    /** A float32 initializer (row-major values). */
    String floats(String name, float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        initializer(name, Onnx.TensorProto.DataType.FLOAT, bytes, dims);
        return name;
    }

    /** An int64 initializer. */
    String longs(String name, long[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        initializer(name, Onnx.TensorProto.DataType.INT64, bytes, dims);
        return name;
    }

    /** A 1-D int64 constant. */
    String longs(long... values) {
        return longs(fresh("const"), values, values.length);
    }

    /** A scalar int64 constant. */
    String scalar(long value) {
        return longs(fresh("const"), new long[] {value});
    }

    /** A scalar float constant (broadcast against any shape). */
    String scalar(float value) {
        return floats(fresh("const"), new float[] {value});
    }

    private void initializer(String name, Onnx.TensorProto.DataType type, ByteBuffer bytes, long... dims) {
        Onnx.TensorProto.Builder tensor = Onnx.TensorProto.newBuilder()
                .setName(name)
                .setDataType(type)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : dims) {
            tensor.addDims(d);
        }
        graph.addInitializer(tensor);
    }

    /** A node with one output; attributes are long, float, String or long[] values. */
    String node(String op, List<String> inputs, Map<String, Object> attributes) {
        return node(op, inputs, attributes, 1)[0];
    }

    String node(String op, String... inputs) {
        return node(op, Arrays.asList(inputs), Map.of());
    }

    /** A node with several outputs, named freshly; an input "" is an omitted optional input. */
    String[] node(String op, List<String> inputs, Map<String, Object> attributes, int outputs) {
        Onnx.NodeProto.Builder node = Onnx.NodeProto.newBuilder().setOpType(op).setName(fresh(op));
        node.addAllInput(inputs);
        String[] out = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            out[i] = fresh(op.toLowerCase() + "_out");
            node.addOutput(out[i]);
        }
        attributes.forEach((name, value) -> node.addAttribute(attribute(name, value)));
        graph.addNode(node);
        return out;
    }

    /** Names an intermediate value as a graph output (an Identity node, so the name is the caller's). */
    void output(String value, String name, Onnx.TensorProto.DataType type, Object... dims) {
        Onnx.NodeProto.Builder node = Onnx.NodeProto.newBuilder()
                .setOpType("Identity")
                .setName(fresh("Identity"))
                .addInput(value)
                .addOutput(name);
        graph.addNode(node);
        graph.addOutput(valueInfo(name, type, dims));
    }

    /** A graph input; dims are Long (fixed) or String (symbolic, e.g. "batch"). */
    String input(String name, Onnx.TensorProto.DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
        return name;
    }

    byte[] model(String producer, String version, Map<String, String> metadata) {
        Onnx.ModelProto.Builder model = Onnx.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(producer)
                .setProducerVersion(version)
                .addOpsetImport(
                        Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        metadata.forEach((key, value) -> model.addMetadataProps(
                Onnx.StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        return model.build().toByteArray();
    }

    private static Onnx.ValueInfoProto valueInfo(String name, Onnx.TensorProto.DataType type, Object... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            Onnx.TensorShapeProto.Dimension.Builder dim = Onnx.TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String symbol) {
                dim.setDimParam(symbol);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        return Onnx.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(Onnx.TypeProto.newBuilder()
                        .setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                                .setElemType(type)
                                .setShape(shape)))
                .build();
    }

    private static Onnx.AttributeProto attribute(String name, Object value) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name);
        if (value instanceof long[] ints) {
            a.setType(Onnx.AttributeProto.AttributeType.INTS);
            for (long i : ints) {
                a.addInts(i);
            }
        } else if (value instanceof Integer || value instanceof Long) {
            a.setType(Onnx.AttributeProto.AttributeType.INT).setI(((Number) value).longValue());
        } else if (value instanceof Float || value instanceof Double) {
            a.setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(((Number) value).floatValue());
        } else if (value instanceof String s) {
            a.setType(Onnx.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
        } else {
            throw new IllegalArgumentException("attribute " + name + ": unsupported value " + value);
        }
        return a.build();
    }

    private String fresh(String prefix) {
        return prefix + "_" + names++;
    }
}
