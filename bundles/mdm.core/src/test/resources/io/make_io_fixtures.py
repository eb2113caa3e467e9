#!/usr/bin/env python3
"""Writes the small state-dict files the mdm.core.io tests read (see README.md in this folder).

Needs only Python 3 and numpy. torch is not needed: torch.save's zip format is a plain zip of
  <archive>/data.pkl      pickle protocol 2 of the object, storages replaced by persistent ids
                          ('storage', torch.<Type>Storage, key, location, numel)
  <archive>/byteorder     'little'
  <archive>/data/<key>    raw little-endian bytes of each storage
  <archive>/version       '3\n'
and tensors pickle as torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
backward_hooks). Stand-in modules named torch and torch._utils make the stdlib pickler write exactly those
GLOBAL opcodes; the stand-ins are never called.

Run from this folder:  python3 make_io_fixtures.py
"""
import argparse
import collections
import dataclasses
import enum
import io
import json
import pickle
import struct
import sys
import types
import zipfile

import numpy as np


def module(name):
    m = types.ModuleType(name)
    sys.modules[name] = m
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, m)
    return m


def place(mod, obj, name):
    obj.__module__ = mod.__name__
    obj.__qualname__ = name
    obj.__name__ = name
    setattr(mod, name, obj)
    return obj


# --- stand-ins for the torch names torch.save writes -------------------------------------------------------
torch = module("torch")
torch_utils = module("torch._utils")


def _never(*args):
    raise RuntimeError("stand-in, never called")


rebuild_tensor_v2 = place(torch_utils, types.FunctionType(_never.__code__, {}), "_rebuild_tensor_v2")
rebuild_parameter = place(torch_utils, types.FunctionType(_never.__code__, {}), "_rebuild_parameter")

STORAGE = {}  # numpy dtype name -> stand-in torch.<X>Storage class
for np_name, torch_name in [("float32", "FloatStorage"), ("float64", "DoubleStorage"), ("float16", "HalfStorage"),
                            ("bfloat16", "BFloat16Storage"), ("int64", "LongStorage"), ("int32", "IntStorage"),
                            ("int16", "ShortStorage"), ("int8", "CharStorage"), ("uint8", "ByteStorage"),
                            ("bool", "BoolStorage")]:
    STORAGE[np_name] = place(torch, type(torch_name, (), {}), torch_name)
STORAGE["untyped"] = place(torch, type("UntypedStorage", (), {}), "UntypedStorage")
rebuild_tensor_v3 = place(torch_utils, types.FunctionType(_never.__code__, {}), "_rebuild_tensor_v3")


class DType:
    """torch.float32 and friends pickle by reference, as GLOBAL torch <name>."""

    def __init__(self, name):
        self.name = name
        self.__module__ = "torch"

    def __reduce__(self):
        return self.name


torch.float32 = DType("float32")


class Storage:
    """A storage: flat little-endian bytes of one element type."""

    def __init__(self, kind, data_bytes, numel):
        self.kind, self.data, self.numel = kind, data_bytes, numel
        self.key = None


class Tensor:
    """A strided view of a storage; pickles exactly as torch.Tensor does with protocol 2."""

    def __init__(self, storage, offset, shape, stride):
        self.storage, self.offset, self.shape, self.stride = storage, offset, tuple(shape), tuple(stride)

    def __reduce_ex__(self, protocol):
        return rebuild_tensor_v2, (self.storage, self.offset, self.shape, self.stride, False,
                                   collections.OrderedDict())


class TensorV3(Tensor):
    """A tensor on an untyped (byte) storage with an explicit dtype, as torch pickles newer dtypes."""

    def __init__(self, storage, offset, shape, stride, dtype):
        super().__init__(storage, offset, shape, stride)
        self.dtype = dtype

    def __reduce_ex__(self, protocol):
        return rebuild_tensor_v3, (self.storage, self.offset, self.shape, self.stride, False,
                                   collections.OrderedDict(), self.dtype)


class Parameter:
    def __init__(self, tensor):
        self.tensor = tensor

    def __reduce_ex__(self, protocol):
        return rebuild_parameter, (self.tensor, True, collections.OrderedDict())


def storage_of(array, kind=None):
    a = np.ascontiguousarray(array)
    return Storage(kind or a.dtype.name, a.astype(a.dtype.newbyteorder("<")).tobytes(), a.size)


def contiguous(array, kind=None):
    a = np.asarray(array)
    strides = [int(np.prod(a.shape[i + 1:])) for i in range(a.ndim)]
    return Tensor(storage_of(a, kind), 0, a.shape, strides)


def bf16_bits(values_f32):
    """bfloat16 storage bytes (upper halves of float32) and the float32 values they decode to."""
    bits = np.asarray(values_f32, dtype=np.float32).view(np.uint32) >> 16
    return bits.astype("<u2").tobytes(), (bits.astype(np.uint32) << 16).view(np.float32)


class TorchPickler(pickle.Pickler):
    def __init__(self, f):
        super().__init__(f, protocol=2)
        self.storages = []

    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            if obj.key is None:
                obj.key = str(len(self.storages))
                self.storages.append(obj)
            return ("storage", STORAGE[obj.kind], obj.key, "cpu", obj.numel)
        return None


def torch_save(obj, path, archive="archive"):
    buf = io.BytesIO()
    pickler = TorchPickler(buf)
    pickler.dump(obj)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"{archive}/data.pkl", buf.getvalue())
        z.writestr(f"{archive}/byteorder", "little")
        for s in pickler.storages:
            z.writestr(f"{archive}/data/{s.key}", s.data)
        z.writestr(f"{archive}/version", "3\n")


def state_dict(items):
    """An OrderedDict with the _metadata attribute nn.Module.state_dict() sets (pickled via BUILD)."""
    sd = collections.OrderedDict(items)
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    return sd


# --- tiny_weights_only.pt + tiny_expected.npz ----------------------------------------------------------------
rng = np.random.default_rng(20240611)
base = rng.standard_normal((3, 4)).astype(np.float32)
base_storage = storage_of(base)
bf16_bytes, bf16_values = bf16_bits(rng.standard_normal(4).astype(np.float32))
expected = collections.OrderedDict()
tensors = collections.OrderedDict()


def add(name, tensor, value):
    tensors[name] = tensor
    expected[name] = value


add("f32", Tensor(base_storage, 0, (3, 4), (4, 1)), base)
add("f32_transposed", Tensor(base_storage, 0, (4, 3), (1, 4)), base.T)  # shared storage, not contiguous
add("f32_rows_1_2", Tensor(base_storage, 4, (2, 4), (4, 1)), base[1:3])  # shared storage, offset
add("f32_odd_columns", Tensor(base_storage, 1, (3, 2), (4, 2)), base[:, 1::2])  # last stride 2
f64 = rng.standard_normal((2, 3))
add("f64", contiguous(f64), f64)
f16 = rng.standard_normal(5).astype(np.float16)
add("f16", contiguous(f16), f16)
add("bf16", Tensor(Storage("bfloat16", bf16_bytes, 4), 0, (2, 2), (2, 1)), bf16_values.reshape(2, 2))
i64 = np.array([-(2 ** 40), -1, 0, 2 ** 40 + 3], dtype=np.int64)
add("i64", contiguous(i64), i64)
i32 = np.array([[-7, 1], [2 ** 30, 5]], dtype=np.int32)
add("i32", contiguous(i32), i32)
i16 = np.array([-32768, 1, 32767], dtype=np.int16)
add("i16", contiguous(i16), i16.astype(np.int32))  # int16 loads as int32
i8 = np.array([-128, 0, 127], dtype=np.int8)
add("i8", contiguous(i8), i8)
u8 = np.arange(250, 256, dtype=np.uint8).reshape(2, 3)
add("u8", contiguous(u8), u8)
flags = np.array([True, False, False, True])
add("bool", contiguous(flags), flags)
add("scalar", Tensor(storage_of(np.array([3.5], dtype=np.float32)), 0, (), ()), np.array(3.5, dtype=np.float32))
add("empty", Tensor(storage_of(np.zeros(0, dtype=np.float32)), 0, (0, 3), (3, 1)), np.zeros((0, 3), np.float32))
param = rng.standard_normal((2, 2)).astype(np.float32)
add("param", Parameter(contiguous(param)), param)

v3 = rng.standard_normal(5).astype(np.float32)
add("v3_untyped", TensorV3(Storage("untyped", v3.astype("<f4").tobytes(), v3.nbytes), 1, (2, 2), (1, 2),
                           torch.float32), np.lib.stride_tricks.as_strided(v3[1:], (2, 2), (4, 8)).copy())

torch_save(state_dict(tensors.items()), "tiny_weights_only.pt", archive="tiny_weights_only")
np.savez("tiny_expected.npz", **expected)

# --- mlmdm_checkpoint.pt: the ml-mdm training checkpoint layout (mdm-facts 6.1) -----------------------------
# ml-mdm pickles its config dataclasses and enums; old checkpoints carry legacy top-level module names.
models = module("models")
models_unet = module("models.unet")
diffusion = module("diffusion")
reader = module("reader")


@dataclasses.dataclass
class UNetConfig:
    num_resnets_per_resolution: list = dataclasses.field(default_factory=lambda: [2, 2, 1])
    attention_levels: list = dataclasses.field(default_factory=lambda: [1, 2])
    temporal_dim: int = 256


@dataclasses.dataclass
class ReaderConfig:
    image_size: int = 64
    reader_buffer_size: int = 64


class PredictionType(enum.Enum):
    DDPM = "DDPM"
    V_PREDICTION = "V_PREDICTION"


place(models_unet, UNetConfig, "UNetConfig")
place(reader, ReaderConfig, "ReaderConfig")
place(diffusion, PredictionType, "PredictionType")

ckpt_weights = collections.OrderedDict()
w = rng.standard_normal((4, 3)).astype(np.float32)
b = rng.standard_normal(4).astype(np.float32)
inner = rng.standard_normal((2, 2, 3, 3)).astype(np.float32)
ckpt_expected = collections.OrderedDict([("conv_in.weight", w), ("conv_in.bias", b),
                                         ("inner_unet.conv_in.weight", inner)])
args = argparse.Namespace(unet_config=UNetConfig(), reader_config=ReaderConfig(),
                          prediction_type=PredictionType.V_PREDICTION, lr=5e-5, batch_size=8,
                          output_dir="/mnt/outputs")
checkpoint = {
    "state_dict": state_dict((k, contiguous(v)) for k, v in ckpt_expected.items()),
    "batch_num": 12000,
    "loss": 0.0625,
    "best_avg_loss": 0.05,
    "exp_avg_loss": 0.055,
    "exp_avg_loss_var": 0.001,
    "args": args,
}
torch_save(checkpoint, "mlmdm_checkpoint.pt", archive="archive")
np.savez("mlmdm_checkpoint_expected.npz", **ckpt_expected)

# --- tiny.safetensors: written by hand, header sorted by name like the Rust writer ----------------------------
st_tensors = collections.OrderedDict()
st_tensors["b.f32"] = (base, "F32", base.astype("<f4").tobytes())
st_tensors["a.f16"] = (f16, "F16", f16.astype("<f2").tobytes())
st_tensors["c.bf16"] = (bf16_values.reshape(2, 2), "BF16", bf16_bytes)
st_tensors["d.i64"] = (i64, "I64", i64.astype("<i8").tobytes())
st_tensors["e.i32"] = (i32, "I32", i32.astype("<i4").tobytes())
st_tensors["f.u8"] = (u8, "U8", u8.tobytes())
st_tensors["g.bool"] = (flags, "BOOL", flags.astype(np.uint8).tobytes())
st_tensors["h.f64"] = (f64, "F64", f64.astype("<f8").tobytes())
header = {"__metadata__": {"format": "pt", "made_by": "make_io_fixtures.py"}}
data = b""
for name, (value, code, raw) in st_tensors.items():
    header[name] = {"dtype": code, "shape": list(np.shape(value)), "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
header_bytes = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
header_bytes += b" " * (-len(header_bytes) % 8)
with open("tiny.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(header_bytes)) + header_bytes + data)
np.savez("tiny_safetensors_expected.npz", **{k: v[0] for k, v in st_tensors.items()})

# --- tiny.npz (numpy's own writer): every supported dtype, a big-endian array, a positional name -------------
np.savez("tiny.npz", f4=base, f8=f64, i8=i64, i4=i32, u1=u8, b1=flags, be_f4=base.astype(">f4"),
         be_i8=i64.astype(">i8"), arr_0=f16)
np.savez_compressed("tiny_compressed.npz", f4=base, u1=u8)
print("wrote tiny_weights_only.pt, tiny_expected.npz, mlmdm_checkpoint.pt, mlmdm_checkpoint_expected.npz, "
      "tiny.safetensors, tiny_safetensors_expected.npz, tiny.npz, tiny_compressed.npz")
