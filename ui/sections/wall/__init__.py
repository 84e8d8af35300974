"""The wall screen's parts: the header with its flash, the KPI row, the town map, the side panels."""
