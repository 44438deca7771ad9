"""Pure domain logic: no Django import anywhere below this package."""
