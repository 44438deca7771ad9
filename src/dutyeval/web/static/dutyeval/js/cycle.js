/* 评价总览: submissions per city and state (data from {{ chart|json_script:"chart-data" }}). */
(function () {
  'use strict';
  var source = document.getElementById('chart-data');
  var el = document.getElementById('state-chart');
  if (!window.echarts || !source || !el) return;
  var data = JSON.parse(source.textContent);
  var colors = {draft: '#98a2b3', submitted: '#1d4f91', returned: '#e29a1a', accepted: '#2e9e55', locked: '#7a5af8'};
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: 'axis'}, legend: {top: 0},
    grid: {left: 40, right: 20, top: 40, bottom: 60},
    xAxis: {type: 'category', data: data.cities, axisLabel: {interval: 0, rotate: 30}},
    yAxis: {type: 'value', name: '县数', minInterval: 1},
    series: data.series.map(function (s) {
      return {name: s.name, type: 'bar', stack: 'all', data: s.data, itemStyle: {color: colors[s.key]}};
    })
  });
  window.addEventListener('resize', function () { chart.resize(); });
})();
