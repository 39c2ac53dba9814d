"""The sangkien benchmark suite: every figure printed beside a raw baseline measured in the same run."""
