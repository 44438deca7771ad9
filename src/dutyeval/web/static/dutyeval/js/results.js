/* 得分与排名: distribution, grades, most failed checks (data from json_script "results-charts"). */
(function () {
  'use strict';
  var source = document.getElementById('results-charts');
  if (!window.echarts || !source) return;
  var d = JSON.parse(source.textContent);
  echarts.init(document.getElementById('chart-dist')).setOption({
    tooltip: {}, grid: {left: 40, right: 10, top: 20, bottom: 50},
    xAxis: {type: 'category', data: d.distribution.bins, axisLabel: {rotate: 40}, name: '分'},
    yAxis: {type: 'value', minInterval: 1, name: '县数'},
    series: [{type: 'bar', data: d.distribution.counts, itemStyle: {color: '#1d4f91'}}]
  });
  var gradeColors = ['#2e9e55', '#1d4f91', '#e29a1a', '#b42318', '#98a2b3'];
  echarts.init(document.getElementById('chart-grades')).setOption({
    tooltip: {trigger: 'item'}, legend: {bottom: 0},
    series: [{type: 'pie', radius: ['28%', '52%'], center: ['50%', '45%'], data: d.grades, label: {formatter: '{b} {c}'},
              color: gradeColors}]
  });
  var f = d.failing.slice().reverse();
  echarts.init(document.getElementById('chart-failing')).setOption({
    tooltip: {trigger: 'axis'}, legend: {top: 0}, grid: {left: 170, right: 20, top: 30, bottom: 20},
    xAxis: {type: 'value', minInterval: 1},
    yAxis: {type: 'category', data: f.map(function (x) { return x.code + ' ' + x.title.slice(0, 10); }), axisLabel: {fontSize: 11}},
    series: [{name: '未达标', type: 'bar', stack: 'a', data: f.map(function (x) { return x.fail; }), itemStyle: {color: '#b42318'}},
             {name: '数据不足', type: 'bar', stack: 'a', data: f.map(function (x) { return x.insufficient; }), itemStyle: {color: '#98a2b3'}}]
  });
})();
