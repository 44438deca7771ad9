/* 整改进度（按月）: stacked bars of each month's task statuses (data from json_script "progress-data"). */
(function () {
  'use strict';
  var source = document.getElementById('progress-data');
  var el = document.getElementById('progress-chart');
  if (!window.echarts || !source || !el) return;
  var rows = JSON.parse(source.textContent);
  var series = [
    ['closed_on_time', '按期销号', '#2e7d32'], ['closed_late', '逾期销号', '#8d6e63'],
    ['open', '整改中', '#1d4f91'], ['overdue', '已逾期', '#b42318']
  ].map(function (s) {
    return {name: s[1], type: 'bar', stack: 'tasks', itemStyle: {color: s[2]}, barMaxWidth: 40,
            data: rows.map(function (r) { return r[s[0]]; })};
  });
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}},
    legend: {top: 0}, grid: {left: 40, right: 16, top: 60, bottom: 30},  // the axis name below the legend, even when it wraps
    xAxis: {type: 'category', data: rows.map(function (r) { return r.month; })},
    yAxis: {type: 'value', name: '任务数', minInterval: 1},
    series: series
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
