"""The situation table (Hub): agencies and police teams discuss situations of acutely elevated risk,
and identity moves in four stages (docs/situation-table.md)."""
