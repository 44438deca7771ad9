/* 义务教育均衡: coefficient of variation per indicator and level (data from json_script "balance-charts"). */
(function () {
  'use strict';
  var source = document.getElementById('balance-charts');
  if (!window.echarts || !source) return;
  var charts = JSON.parse(source.textContent);
  charts.forEach(function (c, i) {
    var el = document.getElementById('chart-' + i);
    if (!el) return;
    echarts.init(el).setOption({
      title: {text: c.level + '：各项指标校际差异系数', left: 'center', textStyle: {fontSize: 14}},
      tooltip: {trigger: 'axis'}, grid: {left: 50, right: 30, top: 40, bottom: 90},
      xAxis: {type: 'category', data: c.names, axisLabel: {interval: 0, rotate: 20, fontSize: 11}},
      yAxis: {type: 'value', name: '差异系数'},
      series: [{type: 'bar', data: c.cv.map(function (v) {
        return {value: v, itemStyle: {color: v !== null && v > c.max ? '#b42318' : '#1d4f91'}}; }),
        markLine: {symbol: 'none', data: [{yAxis: c.max, name: '上限'}], lineStyle: {color: '#b42318', type: 'dashed'},
                   label: {formatter: '上限 ' + c.max}}}]
    });
  });
})();
