"""Business-volume forecasts (业务量预测) per hall: calendar, model, evaluation and a synthetic hall.

The platform calls :func:`central.forecast.model.forecast_hall` with a hall's hourly counts; ``kiosk-central
forecast`` prints the result and ``bench/forecast.py`` measures it (docs/performance.md).
"""
